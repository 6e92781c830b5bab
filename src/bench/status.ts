/**
 * `npm run bench:status [-- --messages N] [--files M] [--runs R]`: how long `turnkey status` takes
 * (wall time, the real CLI spawned) on a store of N messages (1,000,000 by default: a year of a
 * mid-sized merchant, filled by fillStore), first with the daemon stopped, then while the daemon
 * takes M files (20,000) at full speed, with status asked every half second; and whether asking
 * slows intake: the same M files are taken once with status asked and once without, alternately,
 * and the files/s of both are reported. The filled store is kept in BENCH_DIR (or the system's
 * temporary folder) and reused by the next run with the same N.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initDataRoot } from '../cli/init/initDataRoot.js';
import { f0401Xml, invoiceNumber } from '../mig/F0401Factory.js';
import { Store } from '../store/Store.js';
import { daemonNodeArgs, sleep, stop, waitForDatabaseRunning } from './benchProcess.js';
import { fillStore } from './fillStore.js';

const BIN = fileURLToPath(new URL('../../bin/turnkey', import.meta.url));

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const messages = option(args, '--messages', 1_000_000);
  const files = option(args, '--files', 20_000);
  const runs = option(args, '--runs', 20);
  const base = process.env.BENCH_DIR ?? tmpdir();
  const root = mkdtempSync(join(base, 'turnkey-bench-status-'));
  try {
    const created = await initDataRoot(join(root, 'data'), { sandbox: false });
    await filledStore(join(base, `turnkey-bench-status-${messages}.db`), created.database, messages);

    const idle = await timeStatus(created.configFile, runs);
    console.log(`status, daemon stopped, ${messages} messages: ${summary(idle)}`);

    const alone = await intake(root, created, files, 'plain', false);
    const asked = await intake(root, created, files, 'asked', true);
    const alone2 = await intake(root, created, files, 'plain2', false);
    const busy = asked.statusMs;
    console.log(`status while the daemon takes ${files} files: ${summary(busy)}`);
    console.log(
      `intake: ${Math.round(alone.filesPerSecond)} and ${Math.round(alone2.filesPerSecond)} files/s alone, ` +
        `${Math.round(asked.filesPerSecond)} files/s with status asked every 0.5 s`,
    );
    console.log(
      JSON.stringify({
        bench: 'status',
        messages,
        files,
        idleMs: stats(idle),
        busyMs: stats(busy),
        intakeFilesPerSecond: { alone: [alone.filesPerSecond, alone2.filesPerSecond], withStatus: asked.filesPerSecond },
      }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The store of `messages` messages: made once (about a minute per million) and copied for each run. */
async function filledStore(cache: string, database: string, messages: number): Promise<void> {
  if (!existsSync(cache)) {
    process.stdout.write(`filling a store with ${messages} messages (kept as ${cache}) ... `);
    rmSync(`${cache}.tmp`, { force: true });
    const store = Store.open(`${cache}.tmp`);
    fillStore(store.db, messages, Date.now());
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    renameSync(`${cache}.tmp`, cache);
    console.log('done');
  }
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true });
  copyFileSync(cache, database);
  // A store kept by an earlier build gets this build's schema, as this build's daemon gives it at start.
  Store.open(database).close();
}

/** Wall time of `turnkey status` runs, one after the other (ms). */
async function timeStatus(configFile: string, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await statusOnce(configFile));
  return times;
}

function statusOnce(configFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'status', '--config', configFile], { stdio: 'ignore' });
    child.on('error', reject);
    // 0 or 1: healthy or not, both are answers; 2 would be an error.
    child.on('exit', (code) => (code === 2 ? reject(new Error('turnkey status failed')) : resolve(performance.now() - started)));
  });
}

/** The daemon takes `count` files dropped at once; status is asked every half second meanwhile if `ask`. */
async function intake(
  root: string,
  created: { configFile: string; database: string; srcFolders: string[] },
  count: number,
  label: string,
  ask: boolean,
): Promise<{ filesPerSecond: number; statusMs: number[] }> {
  const src = created.srcFolders.find((f) => f.includes('F0401'))!;
  const staging = join(root, `staging-${label}`);
  mkdirSync(staging);
  for (let i = 0; i < count; i++) {
    const number = invoiceNumber(i, label === 'asked' ? 'BS' : label === 'plain' ? 'BP' : 'BQ');
    writeFileSync(join(staging, `${number}.xml`), f0401Xml({ number }));
  }
  const log = openSync(join(root, `daemon-${label}.log`), 'w');
  const daemon = spawn(process.execPath, [...daemonNodeArgs(), BIN, 'start', '--config', created.configFile], {
    stdio: ['ignore', log, log],
  });
  const statusMs: number[] = [];
  try {
    const db = await waitForDatabaseRunning(created.database, daemon);
    const queued = db.prepare("SELECT n FROM message_counts WHERE message_type = 'F0401' AND state = 'queued'").pluck();
    const before = (queued.get() as number | undefined) ?? 0;
    const start = performance.now();
    for (const name of readdirSync(staging)) renameSync(join(staging, name), join(src, name));
    let asking: Promise<void> = Promise.resolve();
    let done = false;
    if (ask) {
      asking = (async () => {
        while (!done) {
          statusMs.push(await statusOnce(created.configFile));
          await sleep(500);
        }
      })();
    }
    while (((queued.get() as number | undefined) ?? 0) - before < count) {
      if (daemon.exitCode !== null) throw new Error(`the daemon exited with code ${daemon.exitCode}`);
      await sleep(50);
    }
    const seconds = (performance.now() - start) / 1000;
    done = true;
    await asking;
    db.close();
    return { filesPerSecond: count / seconds, statusMs };
  } finally {
    await stop(daemon);
    // The next run starts from the same store: the files just taken stay (they are a few more messages).
    spawnSync('sync');
  }
}

function stats(ms: number[]): { n: number; min: number; median: number; p95: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return { n: sorted.length, min: Math.round(sorted[0]!), median: at(0.5), p95: at(0.95), max: Math.round(sorted[sorted.length - 1]!) };
}

function summary(ms: number[]): string {
  const s = stats(ms);
  return `${s.n} runs: min ${s.min} ms, median ${s.median} ms, p95 ${s.p95} ms, max ${s.max} ms`;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
