import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageBytes } from '../../src/store/MessageBytes.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemonProcess.js';
import { f0401Xml, invoiceNumber } from '../helpers/f0401.js';
import { newMessage } from '../helpers/messages.js';
import { PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

interface Problem {
  code: string;
  severity: 'action' | 'info';
}

describe('operating turnkey from the command line (the real CLI, daemon and simulator)', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PlatformPair | null = null;

  beforeEach(() => {
    dir = tempDir('turnkey-operate-');
  });
  afterEach(async () => {
    await pair?.stop();
    pair = null;
    dir.cleanup();
  });

  const cli = async (...args: string[]) => runCli([...args, '--config', pair!.daemonConfigFile]);
  const status = async () => {
    const result = await cli('status', '--json');
    return { code: result.code, report: JSON.parse(result.stdout) as { healthy: boolean; problems: Problem[]; [k: string]: unknown } };
  };
  const codes = (problems: Problem[], severity: 'action' | 'info') => problems.filter((p) => p.severity === severity).map((p) => p.code);
  const audit = () => {
    const db = new Database(pair!.database, { readonly: true });
    try {
      return db.prepare('SELECT command, messages FROM operator_actions ORDER BY id').all();
    } finally {
      db.close();
    }
  };

  it('says what needs doing, and exits 1 until the operator has acted: a rejection acknowledged, a resend audited', async () => {
    pair = await PlatformPair.create(dir.path, { sim: { validation: { rejectInvoiceNumbers: [invoiceNumber(3)] } } });
    await pair.startSim();
    // Never started: not healthy.
    await Store.open(pair.database).close();
    const never = await status();
    expect(never.code).toBe(1);
    expect(codes(never.report.problems, 'action')).toEqual(['daemon-not-running']);

    await pair.startDaemon();
    pair.dropInvoices(5);
    expect(await pair.waitForFinal(5, 30_000)).toEqual({ confirmed: 4, rejected: 1 });
    const rejected = await status();
    expect(rejected.code).toBe(1);
    expect(codes(rejected.report.problems, 'action')).toEqual(['messages-rejected']);
    expect(rejected.report).toMatchObject({
      daemon: { running: true },
      paused: { paused: false },
      counts: { byState: { confirmed: 4, rejected: 1 } },
      backlog: { waiting: 0, oldest: null },
      needsAction: { failed: 0, rejected: 1 },
      deadlines: { atRisk: 0 },
    });
    expect((await cli('status')).stdout).toMatch(/^turnkey: 1 problem\(s\) need action\nPROBLEM \[messages-rejected\]/);

    const listed = JSON.parse((await cli('list', '--state', 'rejected', '--json')).stdout) as Array<{ number: string; errorCode: string }>;
    expect(listed).toMatchObject([{ number: invoiceNumber(3), errorCode: 'E9102' }]);
    const history = JSON.parse((await cli('status', invoiceNumber(3), '--json')).stdout);
    expect(history).toMatchObject({ kind: 'number', messages: [{ state: 'rejected', errorCode: 'E9102', turnkeyStatus: 'E' }] });
    expect(history.messages[0].events.map((e: { to: string }) => e.to)).toEqual(['received', 'queued', 'packed', 'uploaded', 'rejected']);
    expect(history.messages[0].packs[0].attempts.map((a: { stage: string }) => a.stage)).toEqual(['upload', 'notify']);

    const acked = JSON.parse((await cli('ack', invoiceNumber(3), '--json')).stdout);
    expect(acked).toMatchObject({ changed: 1, outcomes: [{ number: invoiceNumber(3), changed: 'acknowledged' }] });
    const again = JSON.parse((await cli('ack', invoiceNumber(3), '--json')).stdout);
    expect(again).toMatchObject({ changed: 0, outcomes: [{ changed: null, reason: 'already acknowledged' }] });
    const healthy = await status();
    expect(healthy.code).toBe(0);
    expect(healthy.report.healthy).toBe(true);

    // The platform "lost" invoice 1: it is sent again as a new version (the simulator still has it: E0201).
    const refused = await cli('resend', invoiceNumber(1));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const resent = JSON.parse((await cli('resend', invoiceNumber(1), '--yes', '--json')).stdout);
    expect(resent).toMatchObject({ changed: 1, outcomes: [{ changed: expect.stringMatching(/^sent again as message #\d+$/) }] });
    await waitFor(async () => {
      const versions = JSON.parse((await cli('status', invoiceNumber(1), '--json')).stdout).messages as Array<{ state: string }>;
      return versions.length === 2 && versions[1]!.state === 'rejected' ? versions : null;
    }, 'the resent version to be answered');
    const versions = JSON.parse((await cli('status', invoiceNumber(1), '--json')).stdout).messages;
    expect(versions).toMatchObject([
      { state: 'confirmed', supersededBy: versions[1].id },
      { state: 'rejected', errorCode: 'E0201', supersedes: versions[0].id },
    ]);
    expect(audit()).toEqual([
      { command: 'ack', messages: 1 },
      { command: 'resend', messages: 1 },
    ]);

    // The Turnkey-compatible views: routing ids filled, the errors in TURNKEY_SYSEVENT_LOG.
    const db = new Database(pair.database, { readonly: true });
    try {
      const row = db
        .prepare('SELECT FROM_ROUTING_ID, TO_ROUTING_ID FROM TURNKEY_MESSAGE_LOG WHERE INVOICE_IDENTIFIER LIKE ?')
        .get(`F0401${invoiceNumber(2)}%`);
      expect(row).toEqual({ FROM_ROUTING_ID: expect.stringMatching(/^\d{8}$/), TO_ROUTING_ID: '0000000000' });
      const events = db.prepare('SELECT ERRORCODE, INFORMATION2, MESSAGE2 FROM TURNKEY_SYSEVENT_LOG ORDER BY EVENTDTS').all();
      expect(events).toEqual([
        { ERRORCODE: 'E9102', INFORMATION2: invoiceNumber(3), MESSAGE2: 'rejected' },
        { ERRORCODE: 'E0201', INFORMATION2: invoiceNumber(1), MESSAGE2: 'rejected' },
      ]);
    } finally {
      db.close();
    }
  }, 120_000);

  it('answers status while the daemon takes a burst of files at full speed', async () => {
    pair = await PlatformPair.create(dir.path);
    await pair.startSim();
    await pair.startDaemon();
    pair.dropInvoices(3000);
    const answers: Array<number | null> = [];
    while ((pair.states().confirmed ?? 0) < 3000 && answers.length < 20) answers.push((await cli('status')).code);
    expect(answers.length).toBeGreaterThanOrEqual(2);
    expect(answers.every((code) => code === 0 || code === 1)).toBe(true);
    expect(await pair.waitForFinal(3000, 60_000)).toEqual({ confirmed: 3000 });
    expect(pair.daemon!.output.stdout).not.toMatch(/SQLITE_BUSY|database is locked/);
  }, 120_000);

  it('puts a failed message back in line, once, and sends it', async () => {
    pair = await PlatformPair.create(dir.path);
    await pair.startSim();
    // A message that failed before it was ever packed (its pack could not be cut, say).
    const store = Store.open(pair.database);
    const xml = f0401Xml({ number: invoiceNumber(7) });
    const messages = new MessageTransitions(store.db);
    const { messageId } = messages.receive(
      newMessage(7, {
        invoiceNumber: invoiceNumber(7),
        messageKey: `F0401${invoiceNumber(7)}${/<InvoiceDate>(\d{8})/.exec(xml)![1]}`,
        sellerId: /<Identifier>(\d{8})/.exec(xml)![1]!,
        sha256: createHash('sha256').update(xml).digest('hex'),
        size: Buffer.byteLength(xml),
        bytesKept: true,
      }),
    );
    new MessageBytes(store.db).keep(messageId, createHash('sha256').update(xml).digest('hex'), Buffer.from(xml));
    messages.move(messageId, 'received', 'queued');
    messages.move(messageId, 'queued', 'failed', { code: 'pack-failed', text: 'the outbox could not be written' });
    store.close();
    const failed = await status();
    expect(failed.code).toBe(1);
    expect(codes(failed.report.problems, 'action')).toEqual(['daemon-not-running', 'messages-failed']);

    const retried = JSON.parse((await cli('retry', '--state', 'failed', '--json')).stdout);
    expect(retried).toMatchObject({ changed: 1, holdsReleased: 0, outcomes: [{ number: invoiceNumber(7), changed: 'queued again' }] });
    const again = JSON.parse((await cli('retry', invoiceNumber(7), '--json')).stdout);
    expect(again).toMatchObject({ changed: 0, outcomes: [{ reason: 'it is queued: nothing to retry' }] });
    await pair.startDaemon();
    expect(await pair.waitForFinal(1, 30_000)).toEqual({ confirmed: 1 });
    expect(audit()).toEqual([{ command: 'retry', messages: 1 }]);

    const csv = (await cli('export', '--since', '1d')).stdout.split('\r\n');
    expect(csv[0]).toBe(
      'id,messageType,invoiceIdentifier,number,date,sellerId,buyerId,totalAmount,taxAmount,state,turnkeyStatus,errorCode,errorText,' +
        'sourceName,receivedAt,finalAt',
    );
    expect(csv[1]).toContain(`,${invoiceNumber(7)},`);
    expect(csv[1]).toContain(',confirmed,C,');
  }, 90_000);

  it('checks what sending needs, each with the fix', async () => {
    pair = await PlatformPair.create(dir.path);
    await pair.startSim();
    await pair.startDaemon();
    const ok = await cli('doctor', '--json');
    const report = JSON.parse(ok.stdout) as { ok: boolean; checks: Array<{ name: string; status: string }> };
    expect(ok.code, ok.stdout).toBe(0);
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([
      ['configuration', 'pass'],
      ['data root', 'pass'],
      ['drop folders', 'pass'],
      ['database', 'pass'],
      [expect.stringMatching(/^certificate of /), 'pass'],
      ['platform SFTP (merchant1)', 'pass'],
      ['platform gateway', 'pass'],
      ['clock', 'pass'],
    ]);
    // A wrong transport password: the check fails, names the fix, and doctor exits 1.
    await pair.daemon!.stop();
    const config = JSON.parse(readFileSync(pair.daemonConfigFile, 'utf8'));
    config.platform.transport.password = 'not-the-password';
    writeFileSync(pair.daemonConfigFile, JSON.stringify(config));
    const bad = await cli('doctor', '--json');
    expect(bad.code).toBe(1);
    const sftp = (JSON.parse(bad.stdout) as { checks: Array<{ name: string; status: string; fix: string }> }).checks.find((c) =>
      c.name.startsWith('platform SFTP'),
    );
    expect(sftp).toMatchObject({ status: 'fail', fix: expect.stringContaining('platform.transport') });
    expect(bad.stdout).not.toContain('not-the-password');

    // The daemon with the wrong password: its errors are logged, its secrets never, on standard output or in the file.
    const wrong = await pair.startDaemon();
    pair.dropInvoices(2);
    await waitFor(() => (/login-refused|sftp-auth/.test(wrong.output.stdout) ? true : null), 'the refused login in the log', 20_000);
    await pair.daemon!.stop();
    const logs = `${wrong.output.stdout}${wrong.output.stderr}${readFileSync(join(dir.path, 'logs', 'turnkey.log'), 'utf8')}`;
    for (const secret of ['not-the-password', 'transport-secret', 'pfx-secret']) expect(logs).not.toContain(secret);
  }, 60_000);
});
