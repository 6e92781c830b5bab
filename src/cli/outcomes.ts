import type { ActionOutcome } from '../store/OperatorActions.js';

/** What an operator command did, message by message: what changed, or why nothing did. */
export function printOutcomes(outcomes: readonly ActionOutcome[], json: boolean, extra: Record<string, unknown> = {}): void {
  const changed = outcomes.filter((o) => o.changed !== null).length;
  if (json) {
    process.stdout.write(`${JSON.stringify({ changed, ...extra, outcomes }, null, 2)}\n`);
    return;
  }
  for (const o of outcomes) {
    const name = `${o.number ?? ''} (#${o.messageId})`.trim();
    process.stdout.write(o.changed !== null ? `${name}: ${o.changed}\n` : `${name}: nothing changed: ${o.reason}\n`);
  }
  process.stdout.write(`${changed} message(s) changed\n`);
}
