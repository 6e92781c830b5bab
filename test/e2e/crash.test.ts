/**
 * The crash test: the real daemon, a few thousand files, killed with SIGKILL at every named
 * failpoint and at random moments, restarted each time. At the end every input file must be
 * recorded exactly once, be in exactly one of BAK/ERR with its exact bytes, SRC and WORK must be
 * empty, and no message may be left in `received`.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_FAILPOINTS, type IntakeFailpoint } from '../../src/intake/intakeFailpoints.js';
import { IntakeLayout } from '../../src/intake/IntakeLayout.js';
import { ensureBuilt } from '../helpers/build.js';
import { DaemonProcess, sleep, waitFor, type Exit } from '../helpers/daemonProcess.js';
import { f0401Xml, f0401XmlWithWrongTotal, f0501Xml, invoiceNumber } from '../helpers/f0401.js';
import { tempDir } from '../helpers/tempDir.js';
import { writeTestConfig } from '../helpers/testConfig.js';

type Kind = 'valid' | 'invalid' | 'wrong-folder' | 'duplicate-copy' | 'conflict' | 'cancel';

interface Input {
  name: string;
  type: 'F0401' | 'F0501';
  kind: Kind;
  sha256: string;
  /** For copies and conflicts: the name of the file it pairs with. */
  pairOf?: string;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('crash safety (SIGKILL at every failpoint and at random moments)', () => {
  const workspace = tempDir('turnkey-crash-');
  const root = workspace.path;
  const inputs: Input[] = [];
  const rand = random(Number(process.env.CRASH_SEED ?? 20250101));
  let serial = 0;
  let configFile = '';
  let database = '';
  const src = (type: string): string => join(root, 'UpCast', 'B2SSTORAGE', type, 'SRC');

  beforeAll(() => {
    ensureBuilt();
    const written = writeTestConfig(root, {
      logLevel: 'warn',
      intake: {
        stabilitySeconds: 0.05,
        rescanIntervalSeconds: 0.5,
        retryDelaySeconds: 0.2,
        batchSize: 100,
        messageTypes: ['F0401', 'F0501'],
      },
      daemon: { heartbeatSeconds: 1, drainTimeoutSeconds: 20 },
    });
    configFile = written.file;
    database = written.config.database;
    new IntakeLayout(root, written.config.intake.messageTypes).ensure();
  }, 180_000);
  afterAll(() => {
    if (!process.env.CRASH_KEEP) workspace.cleanup();
    else console.log(`kept ${root}`);
  });

  function put(type: 'F0401' | 'F0501', name: string, content: string, kind: Kind, pairOf?: string): void {
    writeFileSync(join(src(type), `${name}.part`), content);
    renameSync(join(src(type), `${name}.part`), join(src(type), name));
    inputs.push({ name, type, kind, sha256: sha(content), ...(pairOf ? { pairOf } : {}) });
  }

  /** A mix of what an ERP drops: mostly good invoices, some broken, misplaced, repeated, conflicting. */
  function dropRound(count: number): void {
    const earlierValid = inputs.filter((i) => i.kind === 'valid');
    for (let k = 0; k < count; k++) {
      const n = serial++;
      const name = `m${String(n).padStart(5, '0')}.xml`;
      const roll = rand();
      if (roll < 0.08) put('F0401', name, f0401XmlWithWrongTotal({ number: invoiceNumber(n, 'CR') }), 'invalid');
      else if (roll < 0.11) put('F0401', name, f0501Xml({ number: invoiceNumber(n, 'CR') }), 'wrong-folder');
      else if (roll < 0.14) put('F0501', name, f0501Xml({ number: invoiceNumber(n, 'CX') }), 'cancel');
      else if (roll < 0.17 && earlierValid.length > 0) {
        const original = earlierValid[Math.floor(rand() * earlierValid.length)]!;
        const path = existingCopyOf(original);
        if (path) put('F0401', name, readFileSync(path, 'utf8'), 'duplicate-copy', original.name);
        else put('F0401', name, f0401Xml({ number: invoiceNumber(n, 'CR') }), 'valid');
      } else if (roll < 0.19) {
        // Two files, same invoice number and date, different content: one must win, one is refused.
        put('F0401', name, f0401Xml({ number: invoiceNumber(n, 'CR') }), 'conflict');
        const twin = `m${String(n).padStart(5, '0')}-twin.xml`;
        put(
          'F0401',
          twin,
          f0401Xml({ number: invoiceNumber(n, 'CR'), items: [{ description: 'Other', quantity: 3, unitPrice: 7 }] }),
          'conflict',
          name,
        );
      } else put('F0401', name, f0401Xml({ number: invoiceNumber(n, 'CR') }), 'valid');
    }
  }

  /** Where a dropped file is now (SRC, WORK under a claim name, BAK or ERR), to copy its exact bytes. */
  function existingCopyOf(input: Input): string | null {
    for (const place of findAll(input.name, input.type)) return place;
    const s = join(src(input.type), input.name);
    return existsSync(s) ? s : null;
  }

  function findAll(name: string, type: string): string[] {
    const found: string[] = [];
    for (const kind of ['BAK', 'ERR']) {
      const base = join(root, 'UpCast', 'B2SSTORAGE', type, kind);
      if (!existsSync(base)) continue;
      for (const day of readdirSync(base)) if (existsSync(join(base, day, name))) found.push(join(base, day, name));
    }
    const work = join(root, 'UpCast', 'B2SSTORAGE', type, 'WORK');
    if (existsSync(work)) for (const w of readdirSync(work)) if (w.endsWith(`~${name}`)) found.push(join(work, w));
    return found;
  }

  async function runUntilKilled(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<Exit & { stderr: string }> {
    const d = DaemonProcess.start(configFile, env);
    const timer = setTimeout(() => void d.kill(), timeoutMs);
    const exit = await d.exited;
    clearTimeout(timer);
    return { ...exit, stderr: d.output.stderr };
  }

  it('loses nothing and records nothing twice across kills at every failpoint and at random', async () => {
    dropRound(500);
    const order: Array<{ point: IntakeFailpoint; hit: number }> = [
      { point: 'mid-claim', hit: 2 },
      { point: 'after-claim', hit: 2 },
      { point: 'after-validate', hit: 1 },
      { point: 'after-record', hit: 2 },
      // Straight after a kill that left recorded files in WORK: die while recovering them.
      { point: 'mid-recovery', hit: 1 },
      { point: 'after-report', hit: 2 },
      { point: 'mid-move', hit: 2 },
      { point: 'after-move', hit: 1 },
      { point: 'after-settle', hit: 3 },
      { point: 'after-record', hit: 1 },
    ];
    const covered = new Set(order.map((o) => o.point));
    expect([...covered].sort()).toEqual(Object.keys(INTAKE_FAILPOINTS).sort());

    for (const { point, hit } of order) {
      if (point !== 'mid-recovery') dropRound(150);
      const exit = await runUntilKilled({ TURNKEY_FAILPOINTS: `${point}@${hit}` });
      expect(exit.signal, `the daemon must have died at ${point}@${hit}`).toBe('SIGKILL');
      // Killed by the failpoint itself, not by the time-out above.
      expect(exit.stderr).toContain(`failpoint ${point}@${hit} reached`);
    }

    // Killed while draining.
    dropRound(150);
    {
      const d = DaemonProcess.start(configFile, { TURNKEY_FAILPOINTS: 'mid-drain' });
      await d.waitUntilRunning(database);
      await sleep(150);
      d.child.kill('SIGTERM');
      expect((await d.exited).signal, 'the daemon must have died while draining').toBe('SIGKILL');
    }

    // Killed from outside at random moments: during start-up and while working.
    for (let round = 0; round < 6; round++) {
      dropRound(150);
      const d = DaemonProcess.start(configFile);
      if (round % 3 === 0) await sleep(50 + rand() * 400);
      else {
        await d.waitUntilRunning(database);
        await sleep(rand() * 600);
      }
      await d.kill();
    }

    // A clean run finishes everything.
    dropRound(100);
    const last = DaemonProcess.start(configFile);
    await last.waitUntilRunning(database);
    await waitFor(() => isSettled(), 'every file to be taken and settled', 60_000, 100);
    expect(await last.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    assertInvariants();
  }, 180_000);

  function isSettled(): boolean {
    for (const type of ['F0401', 'F0501']) {
      if (readdirSync(src(type)).length > 0) return false;
      if (readdirSync(join(root, 'UpCast', 'B2SSTORAGE', type, 'WORK')).length > 0) return false;
    }
    const db = new Database(database, { readonly: true });
    try {
      const received = db.prepare("SELECT count(*) FROM messages WHERE state = 'received'").pluck().get() as number;
      const unfiled = db.prepare('SELECT count(*) FROM intake_files WHERE filed_at IS NULL').pluck().get() as number;
      return received === 0 && unfiled === 0;
    } finally {
      db.close();
    }
  }

  function assertInvariants(): void {
    expect(inputs.length).toBeGreaterThan(2500);
    const db = new Database(database, { readonly: true });
    try {
      // SRC and WORK empty; nothing left mid-step.
      for (const type of ['F0401', 'F0501']) {
        expect(readdirSync(src(type)), `${type}/SRC`).toEqual([]);
        expect(readdirSync(join(root, 'UpCast', 'B2SSTORAGE', type, 'WORK')), `${type}/WORK`).toEqual([]);
      }
      expect(db.prepare("SELECT count(*) FROM messages WHERE state = 'received'").pluck().get()).toBe(0);
      expect(db.prepare('SELECT count(*) FROM intake_files WHERE filed_at IS NULL').pluck().get()).toBe(0);

      // Every input recorded exactly once (one journal row per file, no more, no less).
      const journal = db
        .prepare(
          'SELECT original_name AS name, folder_type AS type, sha256, outcome, disposition, target_path AS target, message_id AS ' +
            'messageId FROM intake_files',
        )
        .all() as Array<{
        name: string;
        type: string;
        sha256: string;
        outcome: string;
        disposition: string;
        target: string;
        messageId: number;
      }>;
      const byName = new Map<string, typeof journal>();
      for (const row of journal) byName.set(row.name, [...(byName.get(row.name) ?? []), row]);
      expect(journal).toHaveLength(inputs.length);
      const messages = db
        .prepare('SELECT id, state, error_code AS code, holds_key AS holds, sha256, message_key AS key FROM messages')
        .all() as Array<{
        id: number;
        state: string;
        code: string | null;
        holds: number;
        sha256: string;
        key: string | null;
      }>;
      const messageById = new Map(messages.map((m) => [m.id, m]));

      for (const input of inputs) {
        const rows = byName.get(input.name) ?? [];
        expect(rows, `${input.name} must be recorded exactly once`).toHaveLength(1);
        const row = rows[0]!;
        expect(row.sha256, input.name).toBe(input.sha256);
        // In exactly one of BAK/ERR, at the recorded place, with its exact bytes.
        const places = findAll(input.name, input.type);
        expect(places, `${input.name} must be in exactly one of BAK/ERR`).toHaveLength(1);
        expect(places[0]!.endsWith(row.target.split('/').join('/'))).toBe(true);
        expect(sha(readFileSync(places[0]!, 'utf8')), `${input.name} bytes`).toBe(input.sha256);
        const message = messageById.get(row.messageId)!;
        switch (input.kind) {
          case 'valid':
          case 'cancel':
            expect(row.disposition, input.name).toBe('BAK');
            expect(message.state, input.name).toBe('queued');
            break;
          case 'invalid':
            expect([row.disposition, message.state, message.code], input.name).toEqual(['ERR', 'invalid', 'amount-total']);
            break;
          case 'wrong-folder':
            expect([row.disposition, message.state, message.code], input.name).toEqual(['ERR', 'invalid', 'wrong-folder']);
            break;
          case 'duplicate-copy':
          case 'conflict':
            break; // checked per pair below
        }
        if (row.disposition === 'ERR') {
          const report = JSON.parse(readFileSync(`${places[0]!}.err.json`, 'utf8')) as { codes: string[]; messageId: number };
          expect(report.codes[0], `${input.name} report`).toBe(message.code);
          expect(report.messageId).toBe(message.id);
          expect(existsSync(`${places[0]!}.err.txt`)).toBe(true);
        }
      }

      // A repeated file: one message, the copy filed in BAK as a duplicate of it.
      for (const copy of inputs.filter((i) => i.kind === 'duplicate-copy')) {
        const pair = [byName.get(copy.name)![0]!, byName.get(copy.pairOf!)![0]!];
        expect(
          pair.map((r) => r.disposition),
          copy.name,
        ).toEqual(['BAK', 'BAK']);
        expect(pair[0]!.messageId, copy.name).toBe(pair[1]!.messageId);
        expect(pair.filter((r) => r.outcome === 'duplicate').length + pair.filter((r) => r.outcome === 'new').length).toBe(2);
      }
      // A conflicting pair: exactly one accepted, the other refused as duplicate-conflict.
      for (const twin of inputs.filter((i) => i.kind === 'conflict' && i.pairOf)) {
        const pair = [byName.get(twin.name)![0]!, byName.get(twin.pairOf!)![0]!];
        const states = pair.map((r) => messageById.get(r.messageId)!);
        expect(states.map((m) => m.state).sort(), twin.name).toEqual(['invalid', 'queued']);
        expect(states.find((m) => m.state === 'invalid')!.code).toBe('duplicate-conflict');
      }
      // One message per distinct accepted key.
      const holders = messages.filter((m) => m.holds === 1);
      expect(new Set(holders.map((m) => m.key)).size).toBe(holders.length);
      const expectedHolders =
        inputs.filter((i) => i.kind === 'valid' || i.kind === 'cancel').length +
        inputs.filter((i) => i.kind === 'conflict' && i.pairOf).length;
      expect(holders).toHaveLength(expectedHolders);
      // Every accepted message has its exact bytes kept.
      const missingBytes = db
        .prepare(
          'SELECT count(*) FROM messages m WHERE m.holds_key = 1 AND NOT EXISTS (SELECT 1 FROM message_bytes b WHERE b.message_id = m.id ' +
            'AND b.sha256 = m.sha256)',
        )
        .pluck()
        .get();
      expect(missingBytes).toBe(0);
    } finally {
      db.close();
    }
  }
});
