import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { DaemonProcess, sleep, waitFor } from '../helpers/daemonProcess.js';
import { f0401Xml, invoiceNumber } from '../helpers/f0401.js';
import { fuzzInputs, type FuzzInput } from '../helpers/fuzzInputs.js';
import { tempDir } from '../helpers/tempDir.js';
import { FAST, merge, writeTestConfig } from '../helpers/testConfig.js';

const SEED = Number(process.env.FUZZ_SEED ?? 4242);
const FLIPS = Number(process.env.FUZZ_FLIPS ?? 1_000);
const MAX_BYTES = 256 * 1024;

interface Filed {
  name: string;
  disposition: 'BAK' | 'ERR';
  state: string;
  code: string | null;
  path: string;
}

/**
 * Thousands of broken files through the real daemon (intake and validation; no platform): each is
 * recorded once and filed, the refused ones in ERR with a code and a report; the daemon never exits,
 * its memory does not grow from one round to the next, and nothing outside the data root is read
 * or written (an external entity names a FIFO and a loopback URL: following either would be seen).
 */
describe('fuzzed input (daemon as a process)', () => {
  const root = tempDir('turnkey-fuzz-');
  const outside = tempDir('turnkey-fuzz-outside-');
  const fifo = join(outside.path, 'secret-fifo');
  let server: Server;
  let requests = 0;
  let url = '';
  let daemon: DaemonProcess;
  let database = '';
  const src = join(root.path, 'UpCast/B2SSTORAGE/F0401/SRC');

  beforeAll(async () => {
    ensureBuilt();
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(outside.path, 'canary.txt'), 'canary');
    server = createServer((req, res) => {
      requests++;
      res.end('<!ENTITY x "pwned">');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/entity`;
    const written = writeTestConfig(root.path, merge(FAST, { validation: { maxBytes: MAX_BYTES }, intake: { batchSize: 200 } }));
    database = written.config.database;
    daemon = DaemonProcess.start(written.file);
    await daemon.waitUntilRunning(database);
  }, 180_000);
  afterAll(async () => {
    await daemon?.stop();
    await new Promise((resolve) => server.close(resolve));
    root.cleanup();
    outside.cleanup();
  });

  function drop(inputs: readonly FuzzInput[], prefix: string): void {
    for (const input of inputs) {
      writeFileSync(join(src, '.writing.part'), input.bytes);
      renameSync(join(src, '.writing.part'), join(src, `${prefix}${input.name}`));
    }
  }

  function filed(): Filed[] {
    const db = new Database(database, { readonly: true });
    try {
      return db
        .prepare(
          `SELECT f.original_name AS name, f.disposition, m.state, m.error_code AS code, f.target_path AS path
             FROM intake_files f JOIN messages m ON m.id = f.message_id`,
        )
        .all() as Filed[];
    } finally {
      db.close();
    }
  }

  const rssMB = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${daemon.pid}/status`, 'utf8'))![1]) / 1024;

  it('files every broken file once, refused with a code and a report, and never leaves the data root', async () => {
    const inputs = fuzzInputs({ seed: SEED, flips: FLIPS, outside: fifo, url, maxBytes: MAX_BYTES });
    expect(inputs.length).toBeGreaterThan(2_000);
    const rounds: number[] = [];
    for (const round of ['a-', 'b-']) {
      drop(inputs, round);
      const count = rounds.length === 0 ? inputs.length : inputs.length * 2;
      // Recorded, and settled too: a file is recorded (received) a moment before it is judged (invalid or queued).
      const settled = (): true | null => {
        const all = filed();
        return all.length === count && all.every((f) => f.state !== 'received') ? true : null;
      };
      await waitFor(settled, `${count} files filed`, 120_000, 200);
      rounds.push(rssMB());
    }
    const all = filed();
    const byName = new Map(all.map((f) => [f.name, f]));
    expect(byName.size).toBe(all.length); // each recorded once
    for (const round of ['a-', 'b-']) {
      for (const input of inputs) {
        const f = byName.get(`${round}${input.name}`);
        expect(f, input.name).toBeDefined();
        if (input.refused === true) expect([f!.disposition, f!.state], input.name).toEqual(['ERR', 'invalid']);
        if (f!.disposition === 'ERR') {
          expect(f!.code, input.name).toMatch(/^[a-z0-9-]+$|^[A-Z]\d{4}$/);
          const report = JSON.parse(readFileSync(`${join(root.path, f!.path)}.err.json`, 'utf8')) as { errors: Array<{ code: string }> };
          expect(report.errors.length, input.name).toBeGreaterThan(0);
        }
      }
    }
    expect(readdirSync(src)).toEqual([]);
    expect(daemon.isRunning).toBe(true);
    expect(daemon.logLines().filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    // The second round (the same inputs again) costs no lasting memory.
    expect(rounds[1]! - rounds[0]!, `RSS ${rounds.map((r) => r.toFixed(0)).join(' → ')} MB`).toBeLessThan(64);
    // Nothing outside was read: no entity was fetched, nobody opened the FIFO; nothing was written there.
    expect(requests).toBe(0);
    expect(() => openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)).toThrow(/ENXIO/);
    expect(readdirSync(outside.path).sort()).toEqual(['canary.txt', 'secret-fifo']);
    expect(readFileSync(join(outside.path, 'canary.txt'), 'utf8')).toBe('canary');
    expect(
      existsSync(join(root.path, 'UpCast/B2SSTORAGE/F0401/WORK')) ? readdirSync(join(root.path, 'UpCast/B2SSTORAGE/F0401/WORK')) : [],
    ).toEqual([]);
  }, 300_000);

  it('waits for a file held open and written slowly, and takes it whole', async () => {
    const xml = Buffer.from(f0401Xml({ number: invoiceNumber(7, 'SL') }), 'utf8');
    const fd = openSync(join(src, 'slow-writer.xml'), 'w');
    // Pauses well under intake.stabilitySeconds (0.2 s here; a loaded machine's timers run late): the
    // file is never taken half-written.
    for (let at = 0; at < xml.length; at += 128) {
      writeSync(fd, xml, at, Math.min(128, xml.length - at));
      await sleep(40);
    }
    closeSync(fd);
    await waitFor(
      () => (filed().find((f) => f.name === 'slow-writer.xml' && f.state !== 'received') ? true : null),
      'the slow file filed',
      30_000,
    );
    expect(filed().find((f) => f.name === 'slow-writer.xml')).toMatchObject({ disposition: 'BAK', state: 'queued' });
  }, 60_000);

  it('takes 20,000 files dropped at once, each once', async () => {
    const before = filed().length;
    const names: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const name = `burst-${i}.xml`;
      writeFileSync(join(src, '.writing.part'), f0401Xml({ number: invoiceNumber(i, 'BU') }));
      renameSync(join(src, '.writing.part'), join(src, name));
      names.push(name);
    }
    await waitFor(
      () => {
        const all = filed();
        return all.length === before + names.length && all.every((f) => f.state !== 'received') ? true : null;
      },
      'the burst filed',
      240_000,
      500,
    );
    const states = new Map(filed().map((f) => [f.name, f.state]));
    expect(names.filter((n) => states.get(n) !== 'queued')).toEqual([]);
    expect(readdirSync(src)).toEqual([]);
    expect(daemon.isRunning).toBe(true);
  }, 300_000);
});
