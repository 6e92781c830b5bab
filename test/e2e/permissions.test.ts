import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { DaemonProcess, waitFor } from '../helpers/daemonProcess.js';
import Database from 'better-sqlite3';
import { SANDBOX_PARTY_ID } from '../../src/sandbox/createSandbox.js';
import { DEFAULT_SELLER_ID, f0401Xml, f0401XmlWithWrongTotal, invoiceNumber } from '../helpers/f0401.js';
import { tempDir } from '../helpers/tempDir.js';

const mode = (path: string): number => statSync(path).mode & 0o7777;

/** Every folder under `root` (and root), and every file whose name passes `files`. */
function walk(root: string, files: (name: string) => boolean): { dirs: string[]; files: string[] } {
  const out = { dirs: [root], files: [] as string[] };
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) {
      const inner = walk(path, files);
      out.dirs.push(...inner.dirs);
      out.files.push(...inner.files);
    } else if (entry.isFile() && files(entry.name)) out.files.push(path);
  }
  return out;
}

describe.skipIf(process.platform === 'win32')('who may read the data root', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonProcess | null = null;
  let umask: number;

  beforeEach(() => {
    dir = tempDir('turnkey-access-');
    // The most open umask there is: whatever the daemon creates must still be owner-only.
    umask = process.umask(0);
  });
  afterEach(async () => {
    process.umask(umask);
    await daemon?.stop();
    daemon = null;
    dir.cleanup();
  });

  const root = (): string => join(dir.path, 'data');
  const configFile = (): string => join(root(), 'turnkey.config.json');
  const F0401 = (): string => join(root(), 'UpCast/B2SSTORAGE/F0401');

  async function initAndStart(edit?: (config: Record<string, unknown>) => void): Promise<DaemonProcess> {
    expect((await runCli(['init', root(), '--json'])).code).toBe(0);
    if (edit) {
      const config = JSON.parse(readFileSync(configFile(), 'utf8')) as Record<string, unknown>;
      edit(config);
      writeFileSync(configFile(), JSON.stringify(config));
    }
    daemon = DaemonProcess.start(configFile());
    await daemon.waitUntilRunning(join(root(), 'turnkey.db'));
    return daemon;
  }

  it('creates every folder 0700 and every file it writes 0600, whatever the umask', async () => {
    await initAndStart((c) => {
      c.intake = { stabilitySeconds: 0.1, rescanIntervalSeconds: 1 };
      c.outbound = { maxPackWaitSeconds: 0.2, resultPollSeconds: 0.5, resultPollSoonSeconds: 0.2 };
    });
    writeFileSync(join(F0401(), 'SRC', 'good.xml'), f0401Xml({ number: invoiceNumber(1) }));
    writeFileSync(join(F0401(), 'SRC', 'bad.xml'), f0401XmlWithWrongTotal({ number: invoiceNumber(2) }));
    // Wait for the verdict's DownCast file: by then the outbox, the inbox and BAK/ERR are written too.
    const downCast = join(root(), 'DownCast');
    await waitFor(
      () => (existsSync(downCast) && walk(downCast, (n) => n.endsWith('.json')).files.length > 0) || null,
      'the DownCast file',
      30_000,
    );

    // The sandbox covers every seller: this invoice's seller is not the sandbox's own party.
    const store = new Database(join(root(), 'turnkey.db'), { readonly: true });
    expect(store.prepare("SELECT seller_id AS seller, state FROM messages WHERE source_name = 'good.xml'").get()).toEqual({
      seller: DEFAULT_SELLER_ID,
      state: 'confirmed',
    });
    store.close();
    expect(DEFAULT_SELLER_ID).not.toBe(SANDBOX_PARTY_ID);

    // The write-ahead log and its index are there while the daemon runs; the rest is walked once it
    // and its simulator have stopped, so that no file is renamed away between the listing and its stat.
    for (const suffix of ['', '-wal', '-shm']) expect(mode(join(root(), `turnkey.db${suffix}`)).toString(8)).toBe('600');
    await daemon!.stop();
    daemon = null;
    const ours = (name: string): boolean => !name.endsWith('.xml'); // files the ERP dropped keep the ERP's own mode
    const { dirs, files } = walk(root(), ours);
    expect(dirs.length).toBeGreaterThan(30);
    for (const d of dirs) expect(mode(d).toString(8), d).toBe('700');
    for (const f of files) expect(mode(f).toString(8), f).toBe('600');
    expect(files.map((f) => f.slice(root().length))).toEqual(
      expect.arrayContaining([
        '/turnkey.config.json',
        expect.stringMatching(/^\/UpCast\/.*\/ERR\/\d{8}\/bad\.xml\.err\.txt$/),
        expect.stringMatching(/^\/DownCast\/.*\.json$/),
      ]),
    );
  }, 60_000);

  it('tightens, at start, a data root whose folders and files were left open', async () => {
    expect((await runCli(['init', root(), '--no-sandbox'])).code).toBe(0);
    for (const path of [root(), F0401(), join(F0401(), 'SRC'), join(root(), 'UpCast')]) chmodSync(path, 0o777);
    chmodSync(configFile(), 0o666);
    chmodSync(join(root(), 'turnkey.db'), 0o644);
    daemon = DaemonProcess.start(configFile());
    await daemon.waitUntilRunning(join(root(), 'turnkey.db'));
    for (const path of [root(), F0401(), join(F0401(), 'SRC'), join(root(), 'UpCast')]) expect(mode(path).toString(8), path).toBe('700');
    expect(mode(configFile()).toString(8)).toBe('600');
    expect(mode(join(root(), 'turnkey.db')).toString(8)).toBe('600');
    // Log lines are written in batches, at least once a second.
    const started = await waitFor(() => daemon!.logLines().find((l) => l.event === 'daemon-started'), 'the start-up line', 5_000);
    expect(started).toMatchObject({ access: { group: null, tightened: expect.any(Number) } });
    expect((started.access as { tightened: number }).tightened).toBeGreaterThanOrEqual(6);
  }, 30_000);

  it('shares SRC (write), BAK and ERR (read) with the configured group, and nothing else', async () => {
    const gid = process.getgid!();
    await initAndStart((c) => {
      c.group = String(gid);
      c.platform = null;
    });
    const expected: Array<[string, string]> = [
      [root(), '710'],
      [join(root(), 'UpCast'), '2750'],
      [F0401(), '2750'],
      [join(F0401(), 'SRC'), '2770'],
      [join(F0401(), 'BAK'), '2750'],
      [join(F0401(), 'ERR'), '2750'],
      [join(F0401(), 'WORK'), '700'],
      [join(root(), 'turnkey.db'), '600'],
      [configFile(), '600'],
    ];
    for (const [path, want] of expected) expect(mode(path).toString(8), path).toBe(want);
    expect(statSync(join(F0401(), 'SRC')).gid).toBe(gid);
  }, 30_000);
});
