import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { DaemonProcess, runCli, waitFor } from '../helpers/daemonProcess.js';
import { f0401Xml, invoiceNumber } from '../helpers/f0401.js';
import { tempDir } from '../helpers/tempDir.js';
import { FAST, merge, writeTestConfig, type ConfigOverrides } from '../helpers/testConfig.js';

/**
 * How to start a daemon that file permissions bind. Root reads every file whatever its mode, so as
 * root the daemon runs without the two capabilities that let it: setpriv drops them from the
 * bounding and inheritable sets, then execs node (same pid); the daemon stays the owner of
 * everything the test made. The launcher must be shown to work: node starts under it, and a file
 * of mode 000 cannot be read.
 */
function unprivilegedLauncher(): { launcher: string[]; skip: null } | { launcher: null; skip: string } {
  if (process.getuid?.() !== 0) return { launcher: [], skip: null };
  const caps = '-dac_override,-dac_read_search';
  const launcher = ['setpriv', `--inh-caps=${caps}`, `--bounding-set=${caps}`];
  const dir = tempDir('turnkey-probe-');
  try {
    const closed = join(dir.path, 'closed');
    writeFileSync(closed, 'x', { mode: 0o000 });
    const probe = spawnSync(
      launcher[0]!,
      [
        ...launcher.slice(1),
        process.execPath,
        '-e',
        'try { require("fs").readFileSync(process.argv[1]); } catch { process.exit(3); }',
        closed,
      ],
      { encoding: 'utf8' },
    );
    if (probe.status === 3) return { launcher, skip: null };
    const why = probe.error?.message ?? (probe.status === 0 ? 'a file of mode 000 could still be read' : probe.stderr);
    return { launcher: null, skip: `running as root, and setpriv cannot take away root's file capabilities: ${why}` };
  } finally {
    dir.cleanup();
  }
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

const how = unprivilegedLauncher();
if (how.skip) console.warn(`test/e2e/denied-access.test.ts skipped: ${how.skip}`);

describe.skipIf(process.platform === 'win32' || how.skip !== null)('what the daemon may not read or write (real permissions)', () => {
  const cleanups: Array<() => void | Promise<unknown>> = [];
  beforeAll(() => ensureBuilt(), 180_000);
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A daemon that file modes bind, running on a fresh data root; `drop` renames a file into F0401's SRC, as an ERP does. */
  async function start(overrides: ConfigOverrides) {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const root = dir.path;
    const { file, config } = writeTestConfig(root, merge(FAST, overrides));
    const daemon = DaemonProcess.start(file, {}, how.launcher!);
    cleanups.push(() => daemon.kill());
    await daemon.waitUntilRunning(config.database);
    const folder = join(root, 'UpCast', 'B2SSTORAGE', 'F0401');
    const drop = (name: string, content: string, mode = 0o600): void => {
      const staged = join(root, name);
      writeFileSync(staged, content);
      chmodSync(staged, mode); // the mode it has when it arrives
      renameSync(staged, join(folder, 'SRC', name));
    };
    return { file, daemon, folder, drop };
  }

  it('a closed file waits in WORK, is taken once readable, and is refused as unreadable (ERR, with its report) in the end', async () => {
    const { file, daemon, folder, drop: dropFile } = await start({ intake: { unreadableGiveUpSeconds: 8 } });
    const drop = (name: string, number: number, mode: number): void => dropFile(name, f0401Xml({ number: invoiceNumber(number) }), mode);
    drop('readable.xml', 1, 0o600);
    drop('locked.xml', 2, 0o000);
    drop('unlocked-later.xml', 3, 0o000);

    // Both closed files are claimed, found unreadable (logged once each), and wait in WORK.
    const deferred = (): string[] =>
      daemon
        .logLines()
        .filter((l) => l.event === 'file-deferred')
        .map((l) => String(l.file).split('~').at(-1)!)
        .sort();
    await waitFor(() => deferred().length === 2 || null, 'both closed files to be found unreadable', 10_000);
    expect(deferred()).toEqual(['locked.xml', 'unlocked-later.xml']);
    const later = readdirSync(join(folder, 'WORK')).find((name) => name.endsWith('~unlocked-later.xml'));
    expect(later).toBeDefined();
    chmodSync(join(folder, 'WORK', later!), 0o600); // the ERP's user fixes the mode in time

    const states = (): Record<string, string> => {
      const list = runCli(['list', '--json', '--config', file]);
      expect(list.code, list.stderr).toBe(0);
      const rows = JSON.parse(list.stdout) as Array<{ sourceName: string; state: string; errorCode: string | null }>;
      return Object.fromEntries(rows.map((r) => [r.sourceName, r.errorCode ? `${r.state} ${r.errorCode}` : r.state]));
    };
    const settled = await waitFor(
      () => {
        const now = states();
        const final = Object.values(now).every((state) => !state.startsWith('received'));
        return Object.keys(now).length === 3 && final ? now : null;
      },
      'all three files to be recorded and settled',
      20_000,
    );
    expect(settled).toEqual({ 'readable.xml': 'queued', 'unlocked-later.xml': 'queued', 'locked.xml': 'invalid unreadable' });

    expect(readdirSync(join(folder, 'WORK'))).toEqual([]);
    expect(
      filesUnder(join(folder, 'BAK'))
        .map((p) => p.split('/').at(-1))
        .sort(),
    ).toEqual(['readable.xml', 'unlocked-later.xml']);
    const refused = filesUnder(join(folder, 'ERR')).sort();
    expect(refused.map((p) => p.split('/').at(-1))).toEqual(['locked.xml', 'locked.xml.err.json', 'locked.xml.err.txt']);
    expect(readFileSync(join(folder, 'ERR', refused[1]!), 'utf8')).toContain('"unreadable"');
    expect(readFileSync(join(folder, 'ERR', refused[2]!), 'utf8')).toContain('[unreadable]');

    // Each closed file was logged once as deferred, not at every try.
    expect(deferred()).toEqual(['locked.xml', 'unlocked-later.xml']);
  });

  it('an ERR folder it may not write keeps the refused file in WORK, a problem in status, until the folder takes it', async () => {
    const { file, folder, drop } = await start({});
    chmodSync(join(folder, 'ERR'), 0o500);
    drop('broken.xml', '<Invoice>not closed');
    const problem = await waitFor(
      () => {
        const status = runCli(['status', '--json', '--config', file]);
        const report = JSON.parse(status.stdout) as { problems: Array<{ code: string; subject: string; detail: string }> };
        return report.problems.find((p) => p.code === 'filing-failed') ?? null;
      },
      'the filing problem',
      15_000,
    );
    expect(problem.subject).toBe('UpCast/B2SSTORAGE/F0401/ERR');
    expect(problem.detail).toContain('EACCES');
    expect(readdirSync(join(folder, 'WORK'))).toEqual([expect.stringMatching(/~broken\.xml$/)]);

    chmodSync(join(folder, 'ERR'), 0o700); // the operator's fix
    await waitFor(() => readdirSync(join(folder, 'WORK')).length === 0 || null, 'the file to leave WORK', 15_000);
    expect(
      filesUnder(join(folder, 'ERR'))
        .map((p) => p.split('/').at(-1))
        .sort(),
    ).toEqual(['broken.xml', 'broken.xml.err.json', 'broken.xml.err.txt']);
    // The problem is resolved once the files are filed and their folders synced: just after they leave WORK.
    await waitFor(
      () => {
        const report = JSON.parse(runCli(['status', '--json', '--config', file]).stdout) as { problems: Array<{ code: string }> };
        return report.problems.every((p) => p.code !== 'filing-failed') || null;
      },
      'the filing problem to be resolved',
      15_000,
    );
  });

  it('a SRC it may not move files out of is a problem in status after the set time; the file is taken once SRC is writable', async () => {
    const { file, folder, drop } = await start({ intake: { claimProblemAfterSeconds: 2 } });
    chmodSync(join(folder, 'SRC'), 0o500); // after the start, which makes the folders the daemon's own again
    drop('waiting.xml', f0401Xml({ number: invoiceNumber(4) }));
    const problems = (): Array<{ code: string; subject: string; detail: string }> =>
      (
        JSON.parse(runCli(['status', '--json', '--config', file]).stdout) as {
          problems: Array<{ code: string; subject: string; detail: string }>;
        }
      ).problems;
    const problem = await waitFor(() => problems().find((p) => p.code === 'claim-refused') ?? null, 'the claim problem', 15_000);
    expect(problem.subject).toBe('UpCast/B2SSTORAGE/F0401/SRC');
    expect(problem.detail).toContain('waiting.xml');
    expect(readdirSync(join(folder, 'SRC'))).toEqual(['waiting.xml']);

    chmodSync(join(folder, 'SRC'), 0o700); // the operator's fix
    await waitFor(() => readdirSync(join(folder, 'SRC')).length === 0 || null, 'the file to be taken', 15_000);
    await waitFor(() => problems().every((p) => p.code !== 'claim-refused') || null, 'the claim problem to be resolved', 15_000);
    expect(filesUnder(join(folder, 'BAK')).map((p) => p.split('/').at(-1))).toEqual(['waiting.xml']);
  });
});
