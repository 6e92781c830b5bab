import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { BIN, PROJECT_ROOT } from './build.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs `node bin/turnkey <args>` to completion. */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `node bin/turnkey <args>` to completion without blocking this process (to run several at once). */
export function runCliAsync(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? PROJECT_ROOT, env: { ...process.env, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A real daemon process (`node bin/turnkey start --config FILE`). */
export class DaemonProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  private stdout = '';
  private stderr = '';

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `launcher`: a command that runs node in its place (`setpriv …`), keeping its pid (it execs node). */
  static start(configFile: string, env: NodeJS.ProcessEnv = {}, launcher: readonly string[] = []): DaemonProcess {
    // --expose-gc as bin/turnkey's shebang gives it in production (the daemon's heap guard uses it).
    const command = [...launcher, process.execPath, '--expose-gc', BIN, 'start', '--config', configFile];
    const child = spawn(command[0]!, command.slice(1), {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new DaemonProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get output(): { stdout: string; stderr: string } {
    return { stdout: this.stdout, stderr: this.stderr };
  }

  /** The JSON log lines written so far. */
  logLines(): Array<Record<string, unknown>> {
    return this.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the store says this process is `running`; rejects if it exits first. */
  async waitUntilRunning(database: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.isRunning) throw new Error(`the daemon exited while starting: ${this.stderr}\n${this.stdout.slice(-2000)}`);
      if (existsSync(database)) {
        const db = new Database(database, { readonly: true, fileMustExist: true });
        try {
          const row = db.prepare('SELECT state, pid FROM daemon_lifecycle WHERE id = 1').get() as
            { state: string; pid: number } | undefined;
          if (row?.state === 'running' && row.pid === this.pid) return;
        } catch {
          // schema not there yet
        } finally {
          db.close();
        }
      }
      await sleep(50);
    }
    throw new Error(`the daemon did not reach running within ${timeoutMs} ms: ${this.stderr}\n${this.stdout.slice(-4000)}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
    if (this.isRunning) this.child.kill(signal);
    return this.exited;
  }

  async kill(): Promise<Exit> {
    if (this.isRunning) this.child.kill('SIGKILL');
    return this.exited;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` returns a truthy value (returned), or throws after the timeout. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
