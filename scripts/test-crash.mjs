#!/usr/bin/env node
// `npm run test:crash -- [--trials N] [--invoices N] [--random N] [--seed S] [--unsynced]`: the crash
// matrix (test/e2e/crash-matrix.test.ts) at full size: N trials per failpoint (default 3), a drop of
// --invoices invoices of every type (default 1,500: about 2,400 messages), --random trials of kills
// at random moments (default 3 × trials). The default test suite runs it short (1 trial, 20 invoices).
// `--unsynced`: the power cuts instead (test/e2e/crash-unsynced.test.ts: every write not fsync'd is
// lost at the kill), at every failpoint of intake, sending and results.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} takes a whole number >= 1`);
    process.exit(2);
  }
  return value;
};
const trials = option('--trials', 3);
const unsynced = args.includes('--unsynced');
const env = {
  ...process.env,
  ...(unsynced && { CRASH_UNSYNCED: 'full' }),
  CRASH_TRIALS: String(trials),
  CRASH_INVOICES: String(option('--invoices', 1500)),
  CRASH_RANDOM_TRIALS: String(option('--random', 3 * trials)),
  CRASH_SEED: String(option('--seed', Date.now() % 2 ** 31)),
};
console.log(
  `${unsynced ? 'power cuts' : 'crash matrix'}: ${env.CRASH_TRIALS} trial(s) per failpoint, ${env.CRASH_INVOICES} invoices, ` +
    `seed ${env.CRASH_SEED}`,
);
const file = unsynced ? 'test/e2e/crash-unsynced.test.ts' : 'test/e2e/crash-matrix.test.ts';
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const run = spawnSync(process.execPath, [vitest, 'run', file, '--testTimeout', '1800000'], {
  stdio: 'inherit',
  env,
  cwd: fileURLToPath(new URL('..', import.meta.url)),
});
process.exit(run.status ?? 1);
