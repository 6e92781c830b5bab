import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { TurnkeyError } from '../errors/index.js';

/** The CLI the simulator is run with: the same `turnkey sim` a user runs. */
const TURNKEY_BIN = fileURLToPath(new URL('../../bin/turnkey', import.meta.url));

/** How long the simulator may take to say where it listens. */
const READY_TIMEOUT_MS = 30_000;
/** After the simulator died: first restart after this long, doubling up to the most. */
const RESTART_FIRST_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 30_000;
/** How long it may take to stop on SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

/** What `turnkey sim --json` says once it listens. */
export interface SandboxListening {
  sftp: { port: number };
  gateway: { url: string };
}

/**
 * The sandbox platform beside the daemon: `turnkey sim --config <the daemon's configuration>` as a
 * child process. The daemon talks to it exactly as to the real platform. The child stops by itself
 * when its standard input closes (the daemon ended, even by kill -9), so no orphan keeps the ports;
 * one that dies while the daemon runs is started again (after 1 s, doubling up to 30 s).
 */
export class SandboxLauncher {
  private child: ChildProcess | null = null;
  private stopping = false;
  private restartDelayMs = RESTART_FIRST_DELAY_MS;
  private restartTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly configFile: string,
    private readonly logger: Logger,
  ) {}

  /** Starts the simulator and resolves once it listens. */
  static async start(configFile: string, logger: Logger): Promise<SandboxLauncher> {
    const launcher = new SandboxLauncher(configFile, logger);
    const listening = await launcher.launch();
    logger.info(
      { event: 'sandbox-started', pid: launcher.child?.pid, sftpPort: listening.sftp.port, gateway: listening.gateway.url },
      'sandbox: the platform simulator runs beside the daemon, on loopback',
    );
    return launcher;
  }

  /** The simulator's process id (for tests and the log). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Stops it (SIGTERM, then SIGKILL after 10 s) and does not start it again. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private launch(): Promise<SandboxListening> {
    const child = spawn(
      process.execPath,
      [TURNKEY_BIN, 'sim', '--config', this.configFile, '--json', '--log-level', 'warn', '--stop-with-stdin'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: process.env,
      },
    );
    this.child = child;
    let errors = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      errors = (errors + chunk).slice(-4000);
      for (const line of chunk.split('\n'))
        if (line.trim()) this.logger.warn({ event: 'sandbox-log', line: line.slice(0, 2000) }, 'the sandbox simulator says');
    });
    return new Promise<SandboxListening>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => fail(`it did not listen within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
      const fail = (why: string): void => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(
          new TurnkeyError('sandbox-start', `the sandbox platform simulator could not start: ${why}${errors ? `\n${errors.trim()}` : ''}`, {
            hint:
              `Run \`turnkey sim --config ${this.configFile}\` to see why (a port in use: another daemon or simulator of this ` +
              `sandbox may be running).`,
          }),
        );
      };
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        const line = output.split('\n').find((l) => l.startsWith('{'));
        if (!line) return;
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume(); // nothing more is read from it
        child.once('exit', (code, signal) => this.onExit(code, signal));
        resolve(JSON.parse(line) as SandboxListening);
      });
      // 'close', not 'exit': its last words on stderr (why it could not start) are read by then.
      child.once('close', (code, signal) => {
        if (!output.includes('{')) fail(`it exited (${signal ?? `code ${code}`})`);
      });
      child.once('error', (err) => fail(err.message));
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    this.logger.error(
      { event: 'sandbox-exited', code, signal, restartInMs: this.restartDelayMs },
      'the sandbox platform simulator stopped; it is started again',
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.launch().then(
        (listening) => {
          this.restartDelayMs = RESTART_FIRST_DELAY_MS;
          this.logger.info(
            { event: 'sandbox-restarted', pid: this.child?.pid, sftpPort: listening.sftp.port },
            'the sandbox platform simulator runs again',
          );
        },
        (err: unknown) => {
          this.restartDelayMs = Math.min(RESTART_MAX_DELAY_MS, this.restartDelayMs * 2);
          this.logger.error({ event: 'sandbox-restart-failed', err }, 'the sandbox platform simulator could not be started again');
          this.onExit(null, null);
        },
      );
    }, this.restartDelayMs);
    this.restartTimer.unref();
  }
}
