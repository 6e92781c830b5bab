import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { procCpuSeconds } from '../fs/procStat.js';
import Database from '../sqlite/Database.js';

/** Helpers the benchmarks share: waiting for a spawned daemon, its peak memory, stopping it. */

export async function waitForDatabaseRunning(database: string, daemon: ChildProcess): Promise<Database.Database> {
  const db = new Database(database, { readonly: true });
  const state = db.prepare('SELECT state FROM daemon_lifecycle WHERE id = 1').pluck();
  const deadline = Date.now() + 30_000;
  while (state.get() !== 'running') {
    if (daemon.exitCode !== null) throw new Error(`the daemon exited with code ${daemon.exitCode} while starting`);
    if (Date.now() > deadline) throw new Error('the daemon did not start within 30 s');
    await sleep(20);
  }
  return db;
}

const flags = (value: string | undefined): string[] => (value ?? '').split(/\s+/).filter(Boolean);

/**
 * Node flags for every process a benchmark starts: BENCH_NODE_ARGS, e.g.
 * `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` to profile.
 */
export function benchNodeArgs(): string[] {
  return flags(process.env.BENCH_NODE_ARGS);
}

/**
 * Node flags for the daemon: `--expose-gc` (as bin/turnkey's shebang and the systemd unit give it; `npm start`'s
 * `node bin/turnkey start` does not), BENCH_NODE_ARGS, then BENCH_DAEMON_NODE_ARGS.
 */
export function daemonNodeArgs(options: { exposeGc?: boolean } = {}): string[] {
  return [...(options.exposeGc === false ? [] : ['--expose-gc']), ...benchNodeArgs(), ...flags(process.env.BENCH_DAEMON_NODE_ARGS)];
}

/** The pids of a process's children (Linux /proc), e.g. the simulator a sandbox daemon starts. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** `--set '{"intake":{"batchSize":500}}'`: settings merged into the daemon's configuration, to compare variants. */
export function settingOverrides(args: readonly string[]): Record<string, unknown> {
  const at = args.indexOf('--set');
  return at >= 0 ? (JSON.parse(args[at + 1] ?? '{}') as Record<string, unknown>) : {};
}

/** Merges `--set` overrides into a configuration object: sections key by key, top-level values (`logLevel`) as they are. */
export function mergeSettings(config: Record<string, unknown>, overrides: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(overrides)) {
    const isSection = typeof value === 'object' && value !== null && !Array.isArray(value);
    config[key] = isSection ? { ...(config[key] as object | undefined), ...value } : value;
  }
}

/** The daemon's peak resident set (Linux /proc), in MB. */
export function peakRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** CPU time a process has used so far, user + system, in seconds (Linux /proc; all its threads). */
export function cpuSeconds(pid: number): number | null {
  return procCpuSeconds(`/proc/${pid}/stat`);
}

/**
 * CPU seconds each thread of a process has used so far, by thread id (Linux /proc); the main
 * thread's id is the pid. Threads that ended are not listed (the process's total still counts them).
 */
export function threadCpuSeconds(pid: number): Map<number, number> {
  const threads = new Map<number, number>();
  let ids: string[];
  try {
    ids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const id of ids) {
    const seconds = procCpuSeconds(`/proc/${pid}/task/${id}/stat`);
    if (seconds !== null) threads.set(Number(id), seconds);
  }
  return threads;
}

/** CPU seconds a process used since `before` (a cpuSeconds reading); null when either is unknown. */
export function cpuSecondsSince(pid: number, before: number | null): number | null {
  const now = cpuSeconds(pid);
  return now === null || before === null ? null : now - before;
}

export function stop(daemon: ChildProcess): Promise<void> {
  if (daemon.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    daemon.once('exit', () => resolveStop());
    daemon.kill('SIGTERM');
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
