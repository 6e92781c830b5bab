import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DaemonLifecycle } from '../../src/store/DaemonLifecycle.js';
import { MessageTransitions } from '../../src/store/MessageTransitions.js';
import { Store } from '../../src/store/Store.js';
import { ensureBuilt } from '../helpers/build.js';
import { runCli } from '../helpers/cli.js';
import { newMessage } from '../helpers/messages.js';
import { tempDir } from '../helpers/tempDir.js';
import { writeTestConfig } from '../helpers/testConfig.js';

interface StatusReport {
  healthy: boolean;
  problems: Array<{ code: string; severity: 'action' | 'info'; fix: string }>;
  paused: { paused: boolean; reasons: Array<{ kind: string; code: string }> } | null;
  deadlines: { atRisk: number; overdue: number };
  needsAction: { failed: number; rejected: number };
  daemon: { running: boolean };
  platform: { mode: string; gateway: string; extraCaFile: string | null } | null;
}

/**
 * `turnkey status` spawned against stores in each condition a monitoring system must tell apart:
 * the JSON it prints and its exit code (0 healthy, 1 an operator should act).
 */
describe('turnkey status against stores in each condition (spawned)', () => {
  let dir: ReturnType<typeof tempDir>;
  let configFile: string;
  let store: Store;
  let messages: MessageTransitions;
  let next = 1;

  beforeAll(() => ensureBuilt(), 180_000);
  beforeEach(() => {
    dir = tempDir('turnkey-status-');
    const written = writeTestConfig(dir.path);
    configFile = written.file;
    store = Store.open(written.config.database);
    messages = new MessageTransitions(store.db);
    // This test process stands in for a running daemon with a fresh heartbeat.
    const lifecycle = new DaemonLifecycle(store.db);
    lifecycle.begin({ pid: process.pid, hostname: hostname(), version: '0.1.0' });
    lifecycle.enter(process.pid, 'running');
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  const status = async (): Promise<{ code: number | null; report: StatusReport }> => {
    const result = await runCli(['status', '--json', '--config', configFile]);
    return { code: result.code, report: JSON.parse(result.stdout) as StatusReport };
  };
  const actionCodes = (report: StatusReport) => report.problems.filter((p) => p.severity === 'action').map((p) => p.code);
  const message = (...path: Array<'queued' | 'packed' | 'uploaded' | 'confirmed' | 'failed'>): number => {
    const { messageId } = messages.receive(newMessage(next++));
    let from: Parameters<MessageTransitions['move']>[1] = 'received';
    for (const to of path) {
      messages.move(messageId, from, to);
      from = to;
    }
    return messageId;
  };

  it('exits 0 for a running daemon whose messages are all confirmed', async () => {
    message('queued', 'packed', 'uploaded', 'confirmed');
    const { code, report } = await status();
    expect(actionCodes(report)).toEqual([]);
    expect(report).toMatchObject({ healthy: true, daemon: { running: true }, paused: { paused: false } });
    expect(code).toBe(0);
  });

  it('names the platform, and the extra CA the gateway is trusted through when one is configured', async () => {
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    config.platform = {
      mode: 'remote',
      partyId: '53718426',
      transport: { id: 't1', password: 'p' },
      certificate: { pfx: 'a.pfx', password: 'q' },
      sftp: { host: 'sftp.example', port: 2222, knownHostsFile: 'known_hosts' },
      gateway: { baseUrl: 'https://gateway.example/api', caFile: 'proxy-ca.pem' },
    };
    writeFileSync(configFile, JSON.stringify(config));
    const { report } = await status();
    expect(report.platform).toEqual({
      mode: 'remote',
      gateway: 'https://gateway.example/api',
      extraCaFile: join(dir.path, 'proxy-ca.pem'),
    });
    const text = await runCli(['status', '--config', configFile]);
    expect(text.stdout).toContain(`also trusting the CA in ${join(dir.path, 'proxy-ca.pem')}: platform.gateway.caFile`);
  });

  it('exits 1 when the daemon is not running, naming it first', async () => {
    new DaemonLifecycle(store.db).enter(process.pid, 'stopped');
    const { code, report } = await status();
    expect(actionCodes(report)).toEqual(['daemon-not-running']);
    expect(report.daemon.running).toBe(false);
    expect(code).toBe(1);
  });

  it('exits 1 for failed messages, with the fix', async () => {
    message('queued', 'failed');
    const { code, report } = await status();
    expect(actionCodes(report)).toEqual(['messages-failed']);
    expect(report.needsAction).toEqual({ failed: 1, rejected: 0 });
    expect(report.problems[0]!.fix).toContain('turnkey retry');
    expect(code).toBe(1);
  });

  it('exits 1 for a message at risk of its legal deadline', async () => {
    const id = message('queued');
    store.db.prepare('UPDATE messages SET upload_deadline = ? WHERE id = ?').run(Date.now() + 3_600_000, id);
    const { code, report } = await status();
    expect(actionCodes(report)).toEqual(['deadline-at-risk']);
    expect(report.deadlines).toMatchObject({ atRisk: 1, overdue: 0 });
    expect(code).toBe(1);
  });

  it('shows an open circuit breaker as a reason sending is paused, and stays 0: it probes by itself', async () => {
    message('queued', 'packed');
    store.db
      .prepare("UPDATE circuit_breaker SET state = 'open', consecutive_failures = 5, opened_at = ?, last_error_code = 'sftp-connect'")
      .run(Date.now());
    const { code, report } = await status();
    expect(report.paused).toMatchObject({ paused: true, reasons: [{ kind: 'breaker', code: 'breaker-open' }] });
    expect(report.problems.map((p) => [p.code, p.severity])).toContainEqual(['breaker-open', 'info']);
    expect(code).toBe(0);
  });
});
