#!/usr/bin/env node
// `npm run soak -- [--invoices N] [--faults RATE]`: the fault soak (test/e2e/soak.test.ts) at full
// size: N invoices of every message type (default 200,000) with every fault the simulator knows at
// RATE (default 0.1) and a maintenance window halfway. It prints the throughput and the attempts.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback, check) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!check(value)) {
    console.error(`${name}: "${args[at + 1] ?? ''}" is not allowed`);
    process.exit(2);
  }
  return value;
};
const invoices = option('--invoices', 200_000, (v) => Number.isInteger(v) && v >= 10);
const faults = option('--faults', 0.1, (v) => v >= 0 && v <= 0.5);
console.log(`fault soak: ${invoices} invoices, every fault at ${faults}`);
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const run = spawnSync(process.execPath, [vitest, 'run', 'test/e2e/soak.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, SOAK_INVOICES: String(invoices), SOAK_FAULTS: String(faults) },
  cwd: fileURLToPath(new URL('..', import.meta.url)),
});
process.exit(run.status ?? 1);
