/**
 * `npm run bench:intake [-- N]`: drops N valid F0401 files (10,000 by default) into SRC while the
 * real daemon runs (spawned as `node bin/turnkey start`, default configuration: synchronous=FULL,
 * fsync on every folder, 1 s stability, info logs) and reports files/s from the first drop to all
 * recorded (state `queued`), the CPU the daemon used meanwhile (all its threads), and its peak RSS
 * (VmHWM). Files are written beforehand into a
 * staging folder on the same disk and dropped by rename, the safe ERP convention. `--backlog`: the
 * files are in SRC before the daemon starts (what the ERP wrote while it was down); timed from the
 * daemon's spawn, with the time it took to report `running`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initDataRoot } from '../cli/init/initDataRoot.js';
import {
  cpuSeconds,
  cpuSecondsSince,
  daemonNodeArgs,
  mergeSettings,
  peakRss,
  settingOverrides,
  sleep,
  stop,
  waitForDatabaseRunning,
} from './benchProcess.js';
import { f0401Xml, invoiceNumber } from '../mig/F0401Factory.js';

const BIN = fileURLToPath(new URL('../../bin/turnkey', import.meta.url));

interface BenchResult {
  files: number;
  seconds: number;
  filesPerSecond: number;
  dropSeconds: number;
  peakRssMB: number | null;
  /** CPU seconds the daemon used from the first drop to all recorded (null without /proc). */
  cpuDaemonS: number | null;
  fileBytes: number;
  /** With --backlog: seconds from spawn to `running` (the backlog is taken from then on). */
  startSeconds: number | null;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
  const overrides = settingOverrides(args);
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'turnkey-bench-'));
  try {
    const result = await run(root, count, overrides, args.includes('--backlog'));
    console.log(
      `intake: ${result.files} files of ${result.fileBytes} bytes in ${result.seconds.toFixed(2)} s from ` +
        (result.startSeconds === null ? 'first drop' : `the daemon's start (running after ${result.startSeconds.toFixed(2)} s)`) +
        ' to all recorded',
    );
    console.log(`  ${Math.round(result.filesPerSecond)} files/s (dropping took ${result.dropSeconds.toFixed(2)} s)`);
    if (result.cpuDaemonS !== null) {
      console.log(`  daemon CPU ${result.cpuDaemonS.toFixed(2)} s: ${((result.cpuDaemonS / result.files) * 1e6).toFixed(0)} µs per file`);
    }
    console.log(`  daemon peak RSS ${result.peakRssMB === null ? 'unknown (needs /proc)' : `${result.peakRssMB.toFixed(1)} MB`}`);
    console.log(JSON.stringify({ bench: 'intake', ...result }));
  } finally {
    if (keep) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

async function run(root: string, count: number, overrides: Record<string, unknown>, backlog: boolean): Promise<BenchResult> {
  const created = await initDataRoot(join(root, 'data'), { sandbox: false });
  if (Object.keys(overrides).length > 0) {
    const config = JSON.parse(readFileSync(created.configFile, 'utf8')) as Record<string, unknown>;
    mergeSettings(config, overrides);
    writeFileSync(created.configFile, JSON.stringify(config, null, 2));
  }
  const src = created.srcFolders.find((f) => f.includes('F0401'))!;
  const staging = join(root, 'data', 'staging');
  mkdirSync(staging);
  process.stdout.write(`writing ${count} files into ${staging} ... `);
  let fileBytes = 0;
  for (let i = 0; i < count; i++) {
    const xml = f0401Xml({ number: invoiceNumber(i, 'BN') });
    fileBytes = Buffer.byteLength(xml);
    writeFileSync(join(staging, `F0401-${invoiceNumber(i, 'BN')}.xml`), xml);
  }
  console.log('done');

  if (backlog) for (const name of readdirSync(staging)) renameSync(join(staging, name), join(src, name));
  const spawnedAt = performance.now();
  const logFd = openSync(join(root, 'daemon.log'), 'w');
  const daemon = spawn(process.execPath, [...daemonNodeArgs(), BIN, 'start', '--config', created.configFile], {
    stdio: ['ignore', logFd, logFd],
  });
  try {
    const cpuAtSpawn = cpuSeconds(daemon.pid!);
    const db = await waitForDatabaseRunning(created.database, daemon);
    const startSeconds = backlog ? (performance.now() - spawnedAt) / 1000 : null;
    const names = readdirSync(staging);
    const cpuAtDrop = backlog ? cpuAtSpawn : cpuSeconds(daemon.pid!);
    const start = backlog ? spawnedAt : performance.now();
    for (const name of names) renameSync(join(staging, name), join(src, name));
    const dropSeconds = backlog ? 0 : (performance.now() - start) / 1000;
    // Counting only rows newer than the last poll keeps the poller's own CPU use negligible.
    const recordedAfter = db.prepare("SELECT count(*) AS n, max(id) AS last FROM messages WHERE id > ? AND state = 'queued'");
    const stillReceived = db.prepare("SELECT min(id) FROM messages WHERE state = 'received'").pluck();
    let recorded = 0;
    let after = 0;
    while (recorded < count) {
      if (daemon.exitCode !== null) throw new Error(`the daemon exited with code ${daemon.exitCode}; see ${join(root, 'daemon.log')}`);
      await sleep(50);
      // Rows still `received` may turn `queued` later: count only up to the first of them.
      const firstReceived = stillReceived.get() as number | null;
      const row = recordedAfter.get(after) as { n: number; last: number | null };
      if (row.last === null) continue;
      if (firstReceived !== null && firstReceived <= row.last) continue;
      recorded += row.n;
      after = row.last;
    }
    const seconds = (performance.now() - start) / 1000;
    const cpuDaemonS = cpuSecondsSince(daemon.pid!, cpuAtDrop);
    const peakRssMB = peakRss(daemon.pid!);
    db.close();
    return { files: count, seconds, filesPerSecond: count / seconds, dropSeconds, peakRssMB, cpuDaemonS, fileBytes, startSeconds };
  } finally {
    await stop(daemon);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
