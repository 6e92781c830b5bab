/**
 * Every change of a folder's entries the daemon makes is durable before it records anything after
 * it. The daemon runs under strace from its first instruction, on a new data root (so the folders it
 * makes at start are in the trace); in the trace, the folders on both sides of each rename, and the
 * folder of each file or folder it creates, must be fsync'd before the store's next commit (an fsync
 * of its write-ahead log) and before the daemon ends. The power-cut test cannot see this: its file
 * system loses unsynced data, not names (test/helpers/lossyfs.py).
 *
 * Needs strace and leave to attach to a process (`.ci/run` installs Debian's strace where it can);
 * skips, saying why, without them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { procState } from '../../src/fs/procStat.js';
import { dropMixed, violations } from '../helpers/crashInvariants.js';
import { DaemonProcess, waitFor } from '../helpers/daemonProcess.js';
import { PlatformPair } from '../helpers/platformPair.js';
import { BIN } from '../helpers/build.js';
import { tempDir } from '../helpers/tempDir.js';

const TRACED = ['openat', 'mkdir', 'mkdirat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'fsync', 'fdatasync', 'close'];

/** Why strace cannot attach to a process here (not installed, ptrace not allowed), or null. */
function straceMissing(): string | null {
  if (process.platform !== 'linux') return 'strace is Linux only';
  // A process of ours to attach to, as the test attaches to the daemon: strace says when it is in.
  const probe = spawnSync(
    'sh',
    [
      '-c',
      'sleep 10 & pid=$!; out=$(mktemp); strace -e trace=none -e signal=none -p $pid 2>"$out" & tracer=$!; ' +
        'for i in $(seq 100); do grep -q attached "$out" && break; kill -0 $tracer 2>/dev/null || break; sleep 0.1; done; ' +
        'kill $pid; wait $tracer; cat "$out" >&2; rm -f "$out"',
    ],
    { encoding: 'utf8' },
  );
  if (/strace: not found|strace: command not found/.test(probe.stderr)) return 'strace is not installed (Debian: apt-get install strace)';
  if (!/attached/.test(probe.stderr)) return `strace cannot attach here: ${probe.stderr.trim()}`;
  return null;
}

const missing = straceMissing();
if (missing) console.log(`durable-moves.test.ts skips: ${missing}`);

/** One finished system call of the trace: its name, its arguments as strace prints them, its result. */
interface Call {
  pid: number;
  name: string;
  args: string;
  result: number;
}

/** The calls of an `strace -f` trace, each call's unfinished and resumed halves joined. */
function readTrace(text: string): Call[] {
  const calls: Call[] = [];
  const pending = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+) +(.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    let body = m[2]!;
    if (body.endsWith('<unfinished ...>')) {
      pending.set(pid, body.slice(0, -'<unfinished ...>'.length).trimEnd());
      continue;
    }
    const resumed = /^<\.\.\. \w+ resumed>(.*)$/.exec(body);
    if (resumed) {
      body = (pending.get(pid) ?? '') + resumed[1]!;
      pending.delete(pid);
    }
    const call = /^(\w+)\((.*)\)\s+=\s+(-?\d+)/.exec(body);
    if (call) calls.push({ pid, name: call[1]!, args: call[2]!, result: Number(call[3]) });
  }
  return calls;
}

/** The quoted paths among a call's arguments, in order. */
const quoted = (args: string): string[] => [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((q) => q[1]!);

/**
 * Folders whose entries changed (a rename, a creation, a hard link) and were not fsync'd by the
 * store's next commit or by the end (empty when every change was made durable in time), and how many
 * commits there were. With `files`, also each file created that was not fsync'd itself. A commit
 * answers for the changes its own thread made: intake's workers claim files into WORK and fsync the
 * folders before handing the batch back, while the main thread may commit an earlier batch in
 * between; every change, whatever its thread, must be fsync'd by the end.
 */
function undurableChanges(
  calls: readonly Call[],
  dataRoot: string,
  database: string,
  options: { files?: boolean } = {},
): { problems: string[]; commits: number } {
  const problems: string[] = [];
  let commits = 0;
  const open = new Map<number, string>(); // fd → path (file descriptors are the process's, shared by its threads)
  const unsynced = new Map<string, { thread: number; change: string }>(); // folder (or file) → its first change since its last fsync
  // The store's own files are SQLite's to sync (its -shm is never synced: it is rebuilt from the log);
  // the log file is not a record.
  const own = (path: string): boolean =>
    path.startsWith(`${dataRoot}/`) && !path.startsWith(`${dataRoot}/logs/`) && !path.startsWith(database);
  const entryChanged = (thread: number, path: string, change: string): void => {
    if (own(path) && !unsynced.has(dirname(path))) unsynced.set(dirname(path), { thread, change });
  };
  for (const c of calls) {
    if (c.result < 0) continue;
    if (c.name === 'openat') {
      const path = quoted(c.args)[0];
      if (path === undefined) continue;
      open.set(c.result, path);
      if (!c.args.includes('O_CREAT')) continue;
      entryChanged(c.pid, path, `created ${path}`);
      if (options.files && own(path) && !unsynced.has(path)) unsynced.set(path, { thread: c.pid, change: 'writing it' });
    } else if (c.name === 'close') {
      open.delete(Number(c.args));
    } else if (c.name.startsWith('mkdir')) {
      const path = quoted(c.args)[0];
      if (path !== undefined) entryChanged(c.pid, path, `created ${path}`);
    } else if (c.name.startsWith('link')) {
      const to = quoted(c.args)[1];
      if (to !== undefined) entryChanged(c.pid, to, `linked ${to}`);
    } else if (c.name.startsWith('rename')) {
      const [from, to] = quoted(c.args);
      for (const path of [from, to]) if (path !== undefined) entryChanged(c.pid, path, `${from} → ${to}`);
    } else if (c.name === 'fsync' || c.name === 'fdatasync') {
      const path = open.get(Number(c.args));
      if (path === undefined) continue;
      unsynced.delete(path);
      if (path !== `${database}-wal`) continue;
      commits++;
      for (const [folder, { thread, change }] of unsynced) {
        if (thread !== c.pid) continue;
        problems.push(`store committed with ${folder} not fsync'd after ${change}`);
        unsynced.delete(folder);
      }
    }
  }
  for (const [folder, { change }] of unsynced) problems.push(`the process ended with ${folder} not fsync'd after ${change}`);
  return { problems, commits };
}

describe.skipIf(missing !== null)('durable moves (the daemon traced with strace)', () => {
  let dir: ReturnType<typeof tempDir> | null = null;
  let pair: PlatformPair | null = null;
  let tracer: ChildProcess | null = null;
  afterEach(async () => {
    if (tracer?.exitCode === null) tracer.kill('SIGKILL');
    tracer = null;
    await pair?.stop();
    pair = null;
    dir?.cleanup();
  });

  it("fsyncs the folders of each rename and creation before the store's next commit and before it ends", async () => {
    dir = tempDir('turnkey-durable-moves-');
    // The database in a folder of its own that the daemon makes, so that the trace sees it made too.
    pair = await PlatformPair.create(dir.path, { outbound: { maxPackMessages: 10 }, config: { database: 'store/turnkey.db' } });
    await pair.startSim();
    // Traced from its first instruction, start-up's folders included, keeping its pid (which the store
    // records and the stop signals): the launcher stops itself, strace attaches, and it execs node.
    const daemon = DaemonProcess.start(pair.daemonConfigFile, {}, ['sh', '-c', 'kill -STOP $$ && exec "$@"', 'sh']);
    pair.daemon = daemon;
    const stopped = (): true | null => {
      if (!daemon.isRunning) throw new Error(`the launcher ended: ${daemon.output.stderr}`);
      return procState(`/proc/${daemon.pid}/stat`) === 'T' || null;
    };
    await waitFor(stopped, 'the launcher to stop itself', 10_000);
    const trace = join(dir.path, 'strace.txt');
    const strace = spawn('strace', ['-f', '-o', trace, '-e', `trace=${TRACED.join(',')}`, '-p', String(daemon.pid)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let attached = '';
    tracer = strace;
    strace.stderr.setEncoding('utf8').on('data', (d: string) => (attached += d));
    const traced = new Promise((resolve) => strace.once('exit', resolve));
    await waitFor(() => /attached/.test(attached) || null, `strace to attach (it said: ${attached || 'nothing'})`, 10_000);
    process.kill(daemon.pid, 'SIGCONT');
    await daemon.waitUntilRunning(pair.database, 60_000);

    const dropped = dropMixed(pair, 20, 0);
    await pair.waitForFinal(dropped.filter((d) => d.valid).length, 120_000);
    // A check that throws (a file renamed while it was listed) is a check to make again.
    const drained = (): true | null => {
      try {
        return violations(pair!, dropped).length === 0 ? true : null;
      } catch {
        return null;
      }
    };
    await waitFor(drained, 'the DownCast files and the last renames', 45_000, 250);
    expect(await daemon.stop()).toEqual({ code: 0, signal: null });
    await traced;

    const calls = readTrace(readFileSync(trace, 'utf8'));
    const renames = calls.filter((c) => c.name.startsWith('rename') && c.result === 0 && quoted(c.args)[1]?.startsWith(dir!.path));
    // Claims into WORK, filing into BAK and ERR, signed files, results, DownCast: dozens of renames.
    expect(renames.length).toBeGreaterThan(50);
    const { problems, commits } = undurableChanges(calls, dir.path, pair.database);
    expect(problems).toEqual([]);
    // Intake, packs, results and DownCast each commit: a check that saw no commit would check nothing.
    expect(commits).toBeGreaterThan(20);
  }, 300_000);

  it('makes everything `turnkey init` writes durable: each file it creates and each folder it adds to', () => {
    dir = tempDir('turnkey-durable-init-');
    const dataRoot = join(dir.path, 'data');
    const trace = join(dir.path, 'strace.txt');
    const init = spawnSync(
      'strace',
      ['-f', '-o', trace, '-e', `trace=${TRACED.join(',')}`, process.execPath, BIN, 'init', dataRoot, '--json'],
      {
        encoding: 'utf8',
      },
    );
    expect(init.status, init.stderr).toBe(0);
    const calls = readTrace(readFileSync(trace, 'utf8'));
    // The data root's own entry is in dir.path: checked from there.
    const { problems } = undurableChanges(calls, dir.path, join(dataRoot, 'turnkey.db'), { files: true });
    expect(problems).toEqual([]);
    // The configuration, the sandbox's secrets and keys, known_hosts: a check that saw none would check nothing.
    const created = calls.filter(
      (c) => c.name === 'openat' && c.result >= 0 && c.args.includes('O_CREAT') && quoted(c.args)[0]?.startsWith(dataRoot),
    );
    expect(created.length).toBeGreaterThanOrEqual(7);
  });
});
