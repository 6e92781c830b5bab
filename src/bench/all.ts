/**
 * `npm run bench [-- --quick] [--status-messages N]`: every benchmark in turn, each in a process of
 * its own, and one table of what they measured on this machine: validation on one core, the floor
 * (read + validate + hash + record in a tight loop), intake, end to end at 0 and 20 ms of link
 * round trip and in the steady state (the end-to-end rate as a share of the floor, the daemon's CPU
 * per invoice against the floor's, by thread; each against a floor measured just before and after it), the
 * sandbox as a user starts it, a trickle (one invoice every 100 ms: drop → uploaded and →
 * confirmed), start-up with a 100,000-file backlog, and the CLI (`turnkey --version`, `turnkey
 * validate` over a folder of 5,000 ten-item invoices, `turnkey status` on a store of N messages,
 * idle and while the daemon takes files). `--quick` runs smaller sizes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/turnkey');

type Result = Record<string, unknown>;

/** Runs `dist/bench/<name>.js` and returns the JSON line it ends with. */
function bench(name: string, args: string[]): Result {
  process.stderr.write(`… ${name} ${args.join(' ')}\n`);
  const run = spawnSync(process.execPath, [join(DIST, `${name}.js`), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`bench ${name} failed:\n${run.stdout}\n${run.stderr}`);
  const line = run.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`bench ${name} printed no result:\n${run.stdout}`);
  return JSON.parse(line) as Result;
}

/** Wall times of a CLI command, in ms, `runs` times. */
function timeCli(args: string[], runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    execFileSync(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: 'ignore' });
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

function spread(values: number[], unit: string, digits = 0): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return (
    `median ${median.toFixed(digits)} ${unit} (${sorted[0]!.toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)}, ${sorted.length} ` + `runs)`
  );
}

const n = (v: unknown, digits = 0): string =>
  Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const at = args.indexOf('--status-messages');
  const statusMessages = at >= 0 ? Number(args[at + 1]) : quick ? 100_000 : 1_000_000;
  const rows: Array<[string, string]> = [];

  const validate = bench('validate', [quick ? '5000' : '20000']);
  rows.push(['validate, one core (10-item F0401)', `${n(validate.perSecond)} files/s`]);
  const floorSize = quick ? '5000' : '10000';
  const floor = bench('floor', [floorSize]);
  rows.push([
    'floor: read + validate + hash + record, one thread',
    `${n(floor.perSecond)} files/s, ${n(floor.cpuMicrosPerFile)} µs CPU per file`,
  ]);
  const intake = bench('intake', [quick ? '5000' : '10000']);
  rows.push([
    'intake (daemon, SRC → recorded)',
    `${n(intake.filesPerSecond)} files/s, ${n(((intake.cpuDaemonS as number) * 1e6) / (intake.files as number))} µs CPU per file, peak ` +
      `RSS ${n(intake.peakRssMB)} MB`,
  ]);
  // Cold: a daemon just started, whose first burst also pays for V8 compiling its code to
  // optimized machine code. Steady: the same after a burst of others, as a daemon
  // that runs for months is.
  const e2eRuns: Array<{ label: string; args: string[] }> = [
    { label: 'end to end, 0 ms link (drop → confirmed)', args: ['--latency', '0'] },
    { label: 'end to end, 20 ms link (drop → confirmed)', args: ['--latency', '20'] },
    // Not smaller with --quick: a warm-up of 5,000 was not enough to tell from a cold start.
    { label: 'end to end, steady state: after 20,000 others, 0 ms link', args: ['--warm', '20000'] },
  ];
  // This machine's speed drifts by half within minutes (other jobs share it): each end-to-end row is
  // set against a floor measured just before and just after it, not the one at the top.
  for (const { label, args } of e2eRuns) {
    const before = bench('floor', [floorSize]);
    const e2e = bench('e2e', [quick ? '5000' : '10000', ...args]);
    const after = bench('floor', [floorSize]);
    const beside = (key: string): number => ((before[key] as number) + (after[key] as number)) / 2;
    const share = ((e2e.perSecond as number) / beside('perSecond')) * 100;
    const cpuRatio = (e2e.daemonCpuMicrosPerInvoice as number) / beside('cpuMicrosPerFile');
    const threads = e2e.daemonThreadMicrosPerInvoice as { main: number; others: number[] };
    const busiestOthers = threads.others.slice(0, 3).map((t) => n(t));
    const more = threads.others.length > busiestOthers.length ? '…' : '';
    rows.push([
      label,
      `${n(e2e.perSecond)} invoices/s (${n(share)} % of the floor), p95 drop → uploaded ${n(e2e.p95, 2)} s, daemon ` +
        `${n(e2e.daemonCpuMicrosPerInvoice)} µs CPU per invoice (${n(cpuRatio, 1)}× the floor's ${n(before.cpuMicrosPerFile)} / ` +
        `${n(after.cpuMicrosPerFile)} µs just before / after; main thread ${n(threads.main)}, the others ` +
        `${busiestOthers.join(', ')}${more}), peak RSS ${n(e2e.peakRssMB)} MB`,
    ]);
  }

  const sandbox = bench('e2e', [quick ? '5000' : '10000', '--sandbox']);
  rows.push([
    'the sandbox as a user starts it (`node bin/turnkey start`)',
    `${n(sandbox.perSecond)} invoices/s, daemon ${n(sandbox.daemonCpuMicrosPerInvoice)} µs CPU per invoice, peak RSS: daemon ` +
      `${n(sandbox.peakRssMB)} MB, simulator ${n(sandbox.simPeakRssMB)} MB`,
  ]);

  const trickle = bench('e2e', [quick ? '100' : '300', '--trickle', '100']);
  rows.push([
    'trickle: one invoice every 100 ms',
    `drop → uploaded p50 ${n(trickle.p50, 2)} s, p95 ${n(trickle.p95, 2)} s; drop → confirmed p50 ${n(trickle.confirmedP50, 2)} s, p95 ` +
      `${n(trickle.confirmedP95, 2)} s`,
  ]);
  const backlog = bench('intake', [quick ? '20000' : '100000', '--backlog']);
  rows.push([
    `start-up with a ${n(backlog.files)}-file backlog`,
    `running after ${n(backlog.startSeconds, 2)} s, all recorded after ${n(backlog.seconds, 1)} s (${n(backlog.filesPerSecond)} ` +
      `files/s), peak RSS ${n(backlog.peakRssMB)} MB`,
  ]);

  rows.push(['`turnkey --version`', spread(timeCli(['--version'], 15), 'ms')]);
  const folder = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'turnkey-bench-validate-'));
  try {
    const sample = readFileSync(join(ROOT, 'samples/valid/F0401-b2b-10-items.xml'), 'utf8');
    const number = /<InvoiceNumber>([A-Z]{2}\d{8})<\/InvoiceNumber>/.exec(sample)![1]!;
    mkdirSync(join(folder, 'in'));
    for (let i = 0; i < 5000; i++)
      writeFileSync(join(folder, 'in', `${i}.xml`), sample.replace(number, `${number.slice(0, 2)}${10_000_000 + i}`));
    const times = timeCli(['validate', '--json', join(folder, 'in')], quick ? 3 : 5);
    rows.push([
      '`turnkey validate --json` 5,000 ten-item files',
      `${spread(
        times.map((t) => 5000 / (t / 1000)),
        'files/s',
      )}`,
    ]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  const status = bench('status', ['--messages', String(statusMessages), '--files', quick ? '5000' : '20000', '--runs', quick ? '5' : '15']);
  const idle = status.idleMs as { median: number; p95: number; min: number; max: number };
  const busy = status.busyMs as { median: number; p95: number; min: number; max: number };
  rows.push([`\`turnkey status\`, ${n(statusMessages)} messages, daemon idle`, `median ${n(idle.median)} ms, p95 ${n(idle.p95)} ms`]);
  rows.push([`\`turnkey status\` while the daemon takes files`, `median ${n(busy.median)} ms, p95 ${n(busy.p95)} ms`]);

  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nturnkey benchmarks — ${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, node ${process.version}`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log(JSON.stringify({ bench: 'all', rows: Object.fromEntries(rows) }));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
