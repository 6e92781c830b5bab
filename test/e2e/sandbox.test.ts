import { spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, TURNKEY_BIN } from '../helpers/cli.js';
import { DaemonProcess, waitFor } from '../helpers/daemonProcess.js';
import { PROC_STAT, readProcStat } from '../../src/fs/procStat.js';
import { tempDir } from '../helpers/tempDir.js';

const SAMPLES = join(import.meta.dirname, '../../samples/valid');

/** The parent process id of a process (Linux), or null when it is gone. */
function parentOf(pid: number): number | null {
  return readProcStat(`/proc/${pid}/stat`)?.(PROC_STAT.ppid) ?? null;
}

/** Whether a process is there and not a zombie: a container's init that never reaps leaves one, still listed. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !'ZX'.includes(stat[stat.lastIndexOf(')') + 2]!); // field 3, the state, past the command name
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== 'linux')('the sandbox: the daemon and its platform simulator as two processes', () => {
  let dir: ReturnType<typeof tempDir>;
  let daemon: DaemonProcess | null = null;

  beforeEach(() => {
    dir = tempDir('turnkey-sandbox-');
  });
  afterEach(async () => {
    await daemon?.kill();
    daemon = null;
    dir.cleanup();
  });

  const root = (): string => join(dir.path, 'data');
  const configFile = (): string => join(root(), 'turnkey.config.json');
  const state = (name: string): unknown => {
    const db = new Database(join(root(), 'turnkey.db'), { readonly: true });
    try {
      return db.prepare('SELECT state FROM messages WHERE source_name = ?').pluck().get(name);
    } finally {
      db.close();
    }
  };
  const simPid = (d: DaemonProcess): number => {
    const line = d.logLines().findLast((l) => l.event === 'sandbox-started' || l.event === 'sandbox-restarted');
    return line!.pid as number;
  };

  it(
    'runs the simulator as a child process, sends to it as to the real platform, starts it again when it dies, and stops it after ' +
      'draining',
    async () => {
      expect((await runCli(['init', root()])).code).toBe(0);
      // Results polled often: this test is about the processes, not the polling schedule.
      const config = JSON.parse(readFileSync(configFile(), 'utf8')) as Record<string, unknown>;
      writeFileSync(configFile(), JSON.stringify({ ...config, outbound: { resultPollSeconds: 0.5, resultPollSoonSeconds: 0.2 } }));
      daemon = DaemonProcess.start(configFile());
      await daemon.waitUntilRunning(join(root(), 'turnkey.db'));
      const d = daemon;
      const first = await waitFor(
        () => (d.logLines().some((l) => l.event === 'sandbox-started') ? simPid(d) : null),
        'the sandbox-started line',
        10_000,
      );
      expect(first).not.toBe(d.pid);
      expect(parentOf(first)).toBe(d.pid);

      copyFileSync(join(SAMPLES, 'F0401-b2c-printed.xml'), join(root(), 'UpCast/B2SSTORAGE/F0401/SRC/a.xml'));
      await waitFor(() => state('a.xml') === 'confirmed', 'the first invoice confirmed', 30_000);

      process.kill(first, 'SIGKILL');
      const second = await waitFor(
        () => (d.logLines().some((l) => l.event === 'sandbox-restarted') ? simPid(d) : null),
        'the simulator started again',
        20_000,
      );
      expect(second).not.toBe(first);
      expect(parentOf(second)).toBe(d.pid);
      copyFileSync(join(SAMPLES, 'F0401-b2b.xml'), join(root(), 'UpCast/B2SSTORAGE/F0401/SRC/b.xml'));
      await waitFor(() => state('b.xml') === 'confirmed', 'the second invoice confirmed', 30_000);

      expect(await d.stop()).toEqual({ code: 0, signal: null });
      expect(alive(second)).toBe(false);
    },
    90_000,
  );

  it('leaves no simulator behind when the daemon is killed, so the next start can listen again', async () => {
    expect((await runCli(['init', root(), '--json'])).code).toBe(0);
    daemon = DaemonProcess.start(configFile());
    await daemon.waitUntilRunning(join(root(), 'turnkey.db'));
    const d = daemon;
    const sim = await waitFor(
      () => (d.logLines().some((l) => l.event === 'sandbox-started') ? simPid(d) : null),
      'the sandbox-started line',
      10_000,
    );
    await d.kill();
    await waitFor(() => !alive(sim), 'the orphaned simulator to stop', 10_000);

    daemon = DaemonProcess.start(configFile());
    await daemon.waitUntilRunning(join(root(), 'turnkey.db'));
  }, 60_000);

  it('stops starting at once, naming the port, when the simulator cannot listen on it', async () => {
    expect((await runCli(['init', root(), '--json'])).code).toBe(0);
    const port = (JSON.parse(readFileSync(configFile(), 'utf8')) as { platform: { sftp: { port: number } } }).platform.sftp.port;
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      daemon = DaemonProcess.start(configFile());
      // 'close': its standard error is read to the end by then.
      const closed = new Promise((resolve) => daemon!.child.once('close', resolve));
      const exit = await daemon.exited;
      await closed;
      // Not the 30 s the daemon gives a simulator that says nothing: the simulator ends at once.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(exit.code).not.toBe(0);
      expect(daemon.output.stderr).toContain(`127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      squatter.close();
    }
  }, 30_000);

  it("lets `turnkey sim` run a sandbox's simulator from its turnkey.config.json, on the ports the daemon expects", async () => {
    expect((await runCli(['init', root()])).code).toBe(0);
    const config = JSON.parse(readFileSync(configFile(), 'utf8')) as { platform: { sftp: { port: number }; gateway: { baseUrl: string } } };
    const child = spawn(process.execPath, [TURNKEY_BIN, 'sim', '--config', configFile(), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      const started = await waitFor(
        () => (out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as { sftp: { port: number }; gateway: { url: string } }) : null),
        'the simulator to listen',
        20_000,
      );
      expect(started.sftp.port).toBe(config.platform.sftp.port);
      expect(started.gateway.url).toBe(config.platform.gateway.baseUrl);
    } finally {
      child.kill('SIGTERM');
    }
  }, 30_000);
});
