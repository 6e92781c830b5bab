import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { OperatorActions } from '../../store/OperatorActions.js';
import { EXIT } from '../exit.js';
import { printOutcomes } from '../outcomes.js';
import { operatorName, selectMessages, withWritableStore } from '../selectMessages.js';

/** `turnkey retry`: the daemon picks the messages up at its next turn (a fraction of a second). */
export function runRetry(keys: string[], options: { state?: string; holds?: boolean; config?: string; json?: boolean }): void {
  const config = loadConfig(locateConfig(options.config).path);
  const { holdsReleased, outcomes } = withWritableStore(config, (db) => {
    const actions = new OperatorActions(db, operatorName());
    const released = options.holds ? actions.releaseSendingHolds() : 0;
    const selected = keys.length === 0 && options.state === undefined && options.holds ? [] : selectMessages(db, keys, options.state);
    return { holdsReleased: released, outcomes: actions.retry(selected) };
  });
  if (options.holds && !options.json) process.stdout.write(`${holdsReleased} hold(s) on sending lifted\n`);
  printOutcomes(outcomes, options.json === true, { holdsReleased });
  process.exitCode = EXIT.ok;
}
