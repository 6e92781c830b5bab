import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { DaemonProcess, runCli, runCliAsync, waitFor } from '../helpers/daemonProcess.js';
import { f0401Xml, f0401XmlWithWrongTotal, invoiceNumber } from '../helpers/f0401.js';
import { DataRootLock, LOCK_FILE_NAME } from '../../src/daemon/DataRootLock.js';
import { PROC_STAT, readProcStat } from '../../src/fs/procStat.js';
import { loadPfx } from '../../src/protocol/cms/index.js';
import { tempDir } from '../helpers/tempDir.js';
import { FAST, merge, writeRawConfig, writeTestConfig } from '../helpers/testConfig.js';

interface StatusJson {
  healthy: boolean;
  problems: Array<{ code: string; severity: string }>;
  daemon: { state: string | null; pid: number | null; heartbeatAgeSeconds: number | null; running: boolean; note: string | null };
  counts: { byState: Record<string, number>; byType: Record<string, Record<string, number>>; total: number };
}

/** The overview; its exit code is 0 when healthy and 1 when an operator should act (never 2 here). */
function status(configFile: string): StatusJson {
  const result = runCli(['status', '--json', '--config', configFile]);
  expect([0, 1], result.stderr).toContain(result.code);
  const parsed = JSON.parse(result.stdout) as StatusJson;
  expect(result.code).toBe(parsed.healthy ? 0 : 1);
  return parsed;
}

/** The nice value of each of a process's threads (a thread that ended meanwhile is left out). */
function threadNiceValues(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    const stat = readProcStat(`/proc/${pid}/task/${tid}/stat`);
    return stat ? [stat(PROC_STAT.nice)] : [];
  });
}

/** The nice value of a process's autogroup (the share its session gets), or null without autogroups. */
function autogroupNice(pid: number): number | null {
  try {
    return Number(/nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'))![1]);
  } catch {
    return null;
  }
}

function drop(srcDir: string, name: string, content: string): void {
  // write-then-rename, the ERP convention
  writeFileSync(join(srcDir, `${name}.tmp`), content);
  renameSync(join(srcDir, `${name}.tmp`), join(srcDir, name));
}

describe('turnkey init, start and status (real processes)', () => {
  const cleanups: Array<() => void | Promise<unknown>> = [];
  beforeAll(() => ensureBuilt(), 180_000);
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function workspace(): string {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    return dir.path;
  }

  function daemon(configFile: string, env: NodeJS.ProcessEnv = {}): DaemonProcess {
    const d = DaemonProcess.start(configFile, env);
    cleanups.push(() => d.kill());
    return d;
  }

  it('--version and -V print the version of package.json (without loading the program); --help still lists the commands', () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = runCli([flag]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe(`${version}\n`);
    }
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/status/);
  });

  it('init creates a loadable configuration, the Turnkey folders and the database, and never overwrites them', () => {
    const cwd = workspace();
    const first = runCli(['init', 'data', '--json'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    const created = JSON.parse(first.stdout) as { configFile: string; database: string; srcFolders: string[] };
    expect(created.srcFolders.map((f) => f.slice(cwd.length))).toContain('/data/UpCast/B2SSTORAGE/F0401/SRC');
    expect(created.srcFolders).toHaveLength(7);
    for (const f of created.srcFolders) expect(existsSync(f)).toBe(true);
    expect(existsSync(created.database)).toBe(true);
    const before = readFileSync(created.configFile, 'utf8');
    expect(JSON.parse(before)).toMatchObject({ dataRoot: '.', intake: { batchSize: 500 } });

    const again = runCli(['init', 'data'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(readFileSync(created.configFile, 'utf8')).toBe(before);

    const fresh = status(created.configFile);
    expect(fresh.daemon).toMatchObject({ state: null, pid: null, running: false });
    expect(fresh.counts.total).toBe(0);
    // A daemon that is not running is the first thing an operator must act on: monitoring sees exit 1.
    expect(fresh.healthy).toBe(false);
    expect(fresh.problems.map((p) => p.code)).toContain('daemon-not-running');
  });

  it('init refuses a data root another init or a daemon holds, writing nothing there', () => {
    const cwd = workspace();
    const dataRoot = join(cwd, 'data');
    const held = DataRootLock.acquire(dataRoot);
    try {
      const refused = runCli(['init', 'data'], { cwd });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`the data root ${dataRoot} is in use`);
      // Nothing but the lock (and its journal) that this test holds.
      expect(readdirSync(dataRoot).filter((name) => !name.startsWith(LOCK_FILE_NAME))).toEqual([]);
    } finally {
      held.release();
    }
    const after = runCli(['init', 'data'], { cwd });
    expect(after.code, after.stderr).toBe(0);
  });

  it('two inits at once in one folder: one writes the sandbox, the other is refused, and its secrets belong together', async () => {
    const cwd = workspace();
    const results = await Promise.all([runCliAsync(['init', 'data'], { cwd }), runCliAsync(['init', 'data'], { cwd })]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 2]);
    expect(results.find((r) => r.code === 2)!.stderr).toMatch(/already exists|is in use/);
    const secrets = join(cwd, 'data', 'secrets');
    const password = readFileSync(join(secrets, 'sandbox.pfx.password'), 'utf8').trim();
    expect(() => loadPfx(readFileSync(join(secrets, 'sandbox.pfx')), password)).not.toThrow();
  });

  it('finds ./turnkey-data/turnkey.config.json by default and TURNKEY_CONFIG when set', () => {
    const cwd = workspace();
    expect(runCli(['init'], { cwd }).code).toBe(0);
    expect(runCli(['status', '--json'], { cwd }).code).toBe(1); // found, and the daemon is not running
    const elsewhere = workspace();
    const viaEnv = runCli(['status', '--json'], {
      cwd: elsewhere,
      env: { TURNKEY_CONFIG: join(cwd, 'turnkey-data', 'turnkey.config.json') },
    });
    expect(viaEnv.code, viaEnv.stderr).toBe(1);
    const missing = runCli(['status'], { cwd: elsewhere, env: { TURNKEY_CONFIG: '' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('turnkey init');
  });

  it('runs in the foreground: takes dropped files, reports them in status, and drains on SIGTERM with exit 0', async () => {
    const root = workspace();
    const { file, config } = writeTestConfig(root);
    const d = daemon(file);
    await d.waitUntilRunning(config.database);
    const src = join(root, 'UpCast', 'B2SSTORAGE', 'F0401', 'SRC');
    for (let i = 0; i < 20; i++) drop(src, `inv-${i}.xml`, f0401Xml({ number: invoiceNumber(i) }));
    drop(src, 'broken.xml', f0401XmlWithWrongTotal({ number: invoiceNumber(99) }));
    writeFileSync(join(src, 'still-writing.xml.part'), '<Inv');

    const running = await waitFor(
      () => {
        const s = status(file);
        return s.counts.byState.queued === 20 && s.counts.byState.invalid === 1 ? s : null;
      },
      'the files to be recorded',
      20_000,
    );
    expect(running.daemon).toMatchObject({ state: 'running', pid: d.pid, running: true });
    expect(running.daemon.heartbeatAgeSeconds).toBeLessThan(5);
    expect(running.healthy).toBe(true);
    expect(running.counts.byType.F0401).toMatchObject({ queued: 20, invalid: 1 });
    expect(running.counts.byType.F0501).toEqual({});
    expect(readdirSync(src)).toEqual(['still-writing.xml.part']);
    // Below normal by default: every thread, the validation worker's included (or lower still, when
    // the daemon was started at a lower priority than that).
    if (process.platform === 'linux') expect(new Set(threadNiceValues(d.pid))).toEqual(new Set([Math.max(10, getPriority())]));

    const stoppedAt = Date.now();
    const exit = await d.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    const after = status(file);
    expect(after.daemon).toMatchObject({ state: 'stopped', running: false });

    const logs = d.logLines();
    expect(logs[0]).toMatchObject({
      event: 'daemon-started',
      database: config.database,
      messageTypes: config.intake.messageTypes,
      priority: { name: 'below-normal', autogroup: false },
    });
    // One line per file, when its message settles (queued or invalid), naming the file.
    const settled = logs.filter((l) => l.event === 'message-state');
    expect(settled).toHaveLength(21);
    expect(settled.filter((l) => l.to === 'invalid')).toHaveLength(1);
    expect(settled.every((l) => typeof l.file === 'string')).toBe(true);
    expect(logs.at(-1)).toMatchObject({ event: 'daemon-stopped', accepted: 20, invalid: 1 });
  });

  it.skipIf(autogroupNice(process.pid) === null)(
    "leading its own session, as a service does, lowers the session's autogroup too; started from another's, leaves it",
    async () => {
      const root = workspace();
      const { file, config } = writeTestConfig(root);
      const own = DaemonProcess.start(file, {}, ['setsid']); // setsid execs node: same pid, a new session
      cleanups.push(() => own.kill());
      await own.waitUntilRunning(config.database);
      expect(autogroupNice(own.pid)).toBe(10); // a new session's autogroup starts at nice 0, whatever the runner's is
      // Stopped the moment it runs (as a service manager may): it still drains (exit 0).
      expect(await own.stop('SIGTERM')).toEqual({ code: 0, signal: null });
      // Its last lines may reach the pipe just after it exits.
      const started = await waitFor(() => own.logLines()[0] ?? null, 'the daemon-started line', 5_000);
      expect(started).toMatchObject({ event: 'daemon-started', priority: { name: 'below-normal', autogroup: true } });
      // The test runner's own session is not the daemon's to lower.
      const before = autogroupNice(process.pid);
      const d = daemon(file);
      await d.waitUntilRunning(config.database);
      expect(autogroupNice(d.pid)).toBe(before);
      expect(autogroupNice(process.pid)).toBe(before);
    },
  );

  it('a stop signal while it starts is kept: it starts, then drains and exits 0', async () => {
    const root = workspace();
    const { file, config } = writeTestConfig(root);
    const d = daemon(file);
    // The store says `starting` early in the start (long before `running`: the validator warms up).
    await waitFor(
      () => {
        if (!existsSync(config.database)) return null;
        const db = new Database(config.database, { readonly: true, fileMustExist: true });
        try {
          const row = db.prepare('SELECT state, pid FROM daemon_lifecycle WHERE id = 1').get() as
            { state: string; pid: number } | undefined;
          return row?.pid === d.pid ? row.state : null;
        } catch {
          return null; // the table is not made yet
        } finally {
          db.close();
        }
      },
      'the daemon to be starting',
      20_000,
      5,
    );
    expect(await d.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(status(file).daemon).toMatchObject({ state: 'stopped', running: false });
    const events = await waitFor(
      () => {
        const lines = d.logLines().map((l) => l.event);
        return lines.includes('daemon-stopped') ? lines : null;
      },
      'the last log lines',
      5_000,
    );
    expect(events).toContain('signal-while-starting');
  });

  it('refuses a second daemon on the same data root with a message naming the first', async () => {
    const root = workspace();
    const { file, config } = writeTestConfig(root);
    const first = daemon(file);
    await first.waitUntilRunning(config.database);
    const second = daemon(file);
    const exit = await second.exited;
    expect(exit.code).toBe(2);
    expect(second.output.stderr).toContain('another turnkey daemon is already running on the data root');
    expect(second.output.stderr).toContain(`pid ${first.pid}`);
    expect(first.isRunning).toBe(true);
    expect(status(file).daemon).toMatchObject({ state: 'running', pid: first.pid, running: true });
  });

  it('status tells that a daemon killed with SIGKILL is no longer running, and the next start takes over', async () => {
    const root = workspace();
    const { file, config } = writeTestConfig(root);
    const first = daemon(file);
    await first.waitUntilRunning(config.database);
    await first.kill();
    const s = status(file);
    expect(s.daemon).toMatchObject({ state: 'running', pid: first.pid, running: false });
    expect(s.daemon.note).toContain('no longer exists');
    const second = daemon(file);
    await second.waitUntilRunning(config.database);
    expect(status(file).daemon).toMatchObject({ state: 'running', pid: second.pid, running: true });
  });

  it('refuses to start with an unknown configuration key, naming it (exit 2)', () => {
    const root = workspace();
    const file = writeRawConfig(root, merge(FAST, { intake: { stabilitySecs: 1 } }));
    const result = runCli(['start', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('intake.stabilitySecs: unknown key - did you mean "stabilitySeconds"?');
  });

  it('drains mid-flood: stops taking files, finishes the batch in hand, leaves nothing half-done', async () => {
    const root = workspace();
    const { file, config } = writeTestConfig(root, merge(FAST, { intake: { stabilitySeconds: 0, batchSize: 50 } }));
    const src = join(root, 'UpCast', 'B2SSTORAGE', 'F0401', 'SRC');
    const d = daemon(file);
    await d.waitUntilRunning(config.database);
    for (let i = 0; i < 1500; i++) drop(src, `flood-${i}.xml`, f0401Xml({ number: invoiceNumber(i) }));
    await waitFor(
      () => {
        const db = new Database(config.database, { readonly: true });
        try {
          return (db.prepare("SELECT count(*) FROM messages WHERE state = 'queued'").pluck().get() as number) > 100;
        } finally {
          db.close();
        }
      },
      'intake to be under way',
      20_000,
    );
    expect(await d.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const db = new Database(config.database, { readonly: true });
    const queued = db.prepare("SELECT count(*) FROM messages WHERE state = 'queued'").pluck().get() as number;
    const unsettled = db.prepare("SELECT count(*) FROM messages WHERE state = 'received'").pluck().get();
    const unfiled = db.prepare('SELECT count(*) FROM intake_files WHERE filed_at IS NULL').pluck().get();
    db.close();
    expect(unsettled).toBe(0);
    expect(unfiled).toBe(0);
    expect(readdirSync(join(root, 'UpCast', 'B2SSTORAGE', 'F0401', 'WORK'))).toEqual([]);
    // Everything not recorded is still waiting in SRC for the next start.
    expect(readdirSync(src).length + queued).toBe(1500);
  });
});
