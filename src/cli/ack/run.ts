import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { UsageError } from '../../errors/index.js';
import { OperatorActions } from '../../store/OperatorActions.js';
import { parseWhen } from '../../time/parseWhen.js';
import { EXIT } from '../exit.js';
import { printOutcomes } from '../outcomes.js';
import { operatorName, selectMessages, withWritableStore } from '../selectMessages.js';

/** `turnkey ack`. */
export function runAck(keys: string[], options: { state?: string; before?: string; config?: string; json?: boolean }): void {
  const config = loadConfig(locateConfig(options.config).path);
  const before = options.before === undefined ? undefined : parseWhen(options.before, Date.now());
  if (before === null) throw new UsageError(`--before "${options.before}" is not a time`);
  const outcomes = withWritableStore(config, (db) =>
    new OperatorActions(db, operatorName()).acknowledge(selectMessages(db, keys, options.state, before)),
  );
  printOutcomes(outcomes, options.json === true);
  process.exitCode = EXIT.ok;
}
