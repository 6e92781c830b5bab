import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { UsageError } from '../../errors/index.js';
import { OperatorActions } from '../../store/OperatorActions.js';
import { EXIT } from '../exit.js';
import { printOutcomes } from '../outcomes.js';
import { operatorName, selectMessages, withWritableStore } from '../selectMessages.js';

/** `turnkey resend`: asks first, on a terminal; a script says --yes. */
export async function runResend(key: string, options: { yes?: boolean; config?: string; json?: boolean }): Promise<void> {
  const config = loadConfig(locateConfig(options.config).path);
  if (!options.yes) {
    if (!process.stdin.isTTY) throw new UsageError('resend sends a confirmed message again: confirm with --yes');
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await prompt.question(`Send ${key} again to the platform, as a new version of the message? [y/N] `);
    prompt.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stdout.write('nothing sent\n');
      process.exitCode = EXIT.ok;
      return;
    }
  }
  const outcomes = withWritableStore(config, (db) => {
    const ids = selectMessages(db, [key]);
    const actions = new OperatorActions(db, operatorName());
    // The version standing now: the latest that is confirmed.
    const confirmed = ids.filter((id) => db.prepare("SELECT 1 FROM messages WHERE id = ? AND state = 'confirmed'").get(id));
    return [actions.resend(confirmed[confirmed.length - 1] ?? ids[ids.length - 1]!)];
  });
  printOutcomes(outcomes, options.json === true);
  process.exitCode = EXIT.ok;
}
