import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedMessages } from '../../src/mig/MessageFactory.js';
import { f0401XmlWithWrongTotal } from '../helpers/f0401.js';
import { waitFor } from '../helpers/daemonProcess.js';
import { PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

const SECRETS = ['transport-secret', 'pfx-secret'];

/** Every file under `dir` (recursively), but the configuration files, which are where the operator put the secrets. */
function filesUnder(dir: string, skip: (path: string) => boolean): string[] {
  return (
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .map((name) => join(dir, name))
      // A temporary file may be renamed between the listing and the look.
      .filter((path) => !skip(path) && (statSync(path, { throwIfNoEntry: false })?.isFile() ?? false))
  );
}

/**
 * A run with faults, a refused file and a wrong login: the transport and certificate passwords
 * appear in no process listing, no log line, no file the daemon wrote (the database and its WAL, the
 * ERR reports, DownCast, the outbox) and no file of the simulator's.
 */
describe('secrets stay secret', () => {
  const dir = tempDir('turnkey-secrets-');
  let pair: PlatformPair;

  beforeAll(async () => {
    pair = await PlatformPair.create(dir.path, {
      sim: { faults: { seed: 3, rates: { gateway500: 0.2, gatewayReset: 0.1, sftpUploadCut: 0.1 } } },
      outbound: { maxPackMessages: 20 },
    });
    await pair.startSim();
    await pair.startDaemon();
  }, 60_000);
  afterAll(async () => {
    await pair?.stop();
    dir.cleanup();
  });

  it('in process listings, logs, the database, reports and results', async () => {
    const messages = mixedMessages({ invoices: 60 });
    pair.dropMessages([...messages, { type: 'F0401', name: 'bad-total.xml', xml: f0401XmlWithWrongTotal({ number: 'ZZ00000001' }) }]);
    await pair.waitForFinal(messages.length, 90_000);
    await waitFor(() => (pair.states().invalid === 1 ? true : null), 'the refused file');
    expect(pair.states()).toEqual({ confirmed: messages.length, invalid: 1 });

    for (const pid of [pair.daemon!.pid, pair.sim!.pid!]) {
      const listing = readFileSync(`/proc/${pid}/cmdline`, 'utf8') + readFileSync(`/proc/${pid}/environ`, 'utf8');
      for (const secret of SECRETS) expect(listing, `process ${pid}`).not.toContain(secret);
    }
    // Stopped before their files are read: a running daemon may still be writing DownCast files
    // (a temporary file listed, then renamed away before it is read), and it logs its stop too.
    await pair.stop();
    const { stdout, stderr } = pair.daemon!.output;
    for (const secret of SECRETS) expect(stdout + stderr).not.toContain(secret);

    const isConfig = (path: string): boolean => /\.config\.json$/.test(path) || /\.pfx$/.test(path);
    const files = filesUnder(dir.path, isConfig);
    expect(files.some((f) => f.endsWith('turnkey.db-wal') || f.endsWith('turnkey.db'))).toBe(true);
    expect(files.some((f) => f.includes('/ERR/'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const secret of SECRETS) {
        // Stored as UTF-8 or, by SQLite or Windows tools, as UTF-16.
        for (const form of [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le')])
          expect(bytes.includes(form), `${secret} in ${relative(dir.path, file)}`).toBe(false);
      }
    }
  }, 120_000);
});
