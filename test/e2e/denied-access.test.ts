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
 * root the daemon runs without the two capabilities that let it (setpriv drops them from its
 * bounding set, then execs node: same pid); it stays the owner of everything the test made.
 */
function unprivilegedLauncher(): { launcher: string[]; skip: null } | { launcher: null; skip: string } {
  if (process.getuid?.() !== 0) return { launcher: [], skip: null };
  const launcher = ['setpriv', '--bounding-set=-dac_override,-dac_read_search'];
  const probe = spawnSync(launcher[0]!, [...launcher.slice(1), 'true'], { encoding: 'utf8' });
  if (probe.status === 0) return { launcher, skip: null };
  const why = probe.error?.message ?? probe.stderr;
  return { launcher: null, skip: `running as root, and setpriv cannot drop the file capabilities: ${why}` };
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
    const { file, daemon, folder, drop: dropFile } = await start({ intake: { unreadableGiveUpSeconds: 4 } });
    const drop = (name: string, number: number, mode: number): void => dropFile(name, f0401Xml({ number: invoiceNumber(number) }), mode);
    drop('readable.xml', 1, 0o600);
    drop('locked.xml', 2, 0o000);
    drop('unlocked-later.xml', 3, 0o000);

    // Both closed files are claimed and wait in WORK; the readable one is taken meanwhile.
    const waiting = await waitFor(
      () => {
        const work = readdirSync(join(folder, 'WORK'));
        return work.length === 2 ? work : null;
      },
      'the two closed files to wait in WORK',
      10_000,
    );
    const later = waiting.find((name) => name.endsWith('~unlocked-later.xml'))!;
    expect(later).toBeDefined();
    chmodSync(join(folder, 'WORK', later), 0o600); // the ERP's user fixes the mode in time

    const states = (): Record<string, string> => {
      const list = runCli(['list', '--json', '--config', file]);
      expect(list.code, list.stderr).toBe(0);
      const rows = JSON.parse(list.stdout) as Array<{ sourceName: string; state: string; errorCode: string | null }>;
      return Object.fromEntries(rows.map((r) => [r.sourceName, r.errorCode ? `${r.state} ${r.errorCode}` : r.state]));
    };
    const settled = await waitFor(
      () => {
        const now = states();
        return Object.keys(now).length === 3 ? now : null;
      },
      'all three files to be recorded',
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
    const deferred = daemon.logLines().filter((l) => l.event === 'file-deferred');
    expect(deferred.map((l) => String(l.file).split('~').at(-1)).sort()).toEqual(['locked.xml', 'unlocked-later.xml']);
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
    const after = JSON.parse(runCli(['status', '--json', '--config', file]).stdout) as { problems: Array<{ code: string }> };
    expect(after.problems.map((p) => p.code)).not.toContain('filing-failed');
  });
});
