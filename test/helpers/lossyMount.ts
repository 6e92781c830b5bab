import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, fsyncFile } from '../../src/fs/fsyncDir.js';
import { waitFor } from './daemonProcess.js';
import { tempDir } from './tempDir.js';

const SCRIPT = join(import.meta.dirname, 'lossyfs.py');
const PYTHON = '/usr/bin/python3';

/**
 * A folder mounted through lossyfs.py (FUSE): writes reach the disk only when fsync'd, and
 * `powerCut()` drops every other write, as a machine that loses its power drops its page cache.
 */
export class LossyMount {
  private server: ChildProcess | null = null;

  private constructor(
    readonly backing: string,
    readonly mountpoint: string,
    /** The file system's own messages (a file: a pipe it filled could stall it while the test waits on the mount). */
    readonly logFile: string,
  ) {}

  /**
   * Why this machine cannot run it (no FUSE, no python3-fusepy, not allowed to mount), or null. It
   * ends with a trial mount: a machine can pass every check and still refuse one (a seccomp or
   * AppArmor profile).
   */
  static async unavailable(): Promise<string | null> {
    const missing = LossyMount.missing();
    if (missing) return missing;
    const probe = tempDir('turnkey-lossyfs-probe-');
    try {
      for (const name of ['backing', 'mount']) mkdirSync(join(probe.path, name));
      const mount = await LossyMount.mount(join(probe.path, 'backing'), join(probe.path, 'mount'), join(probe.path, 'lossyfs.log'));
      await mount.unmount();
      return null;
    } catch (err) {
      return `a trial mount failed: ${(err as Error).message.trim().split('\n').slice(-1)[0]}`;
    } finally {
      probe.cleanup();
    }
  }

  /** What this machine lacks before a mount is tried, or null. */
  private static missing(): string | null {
    if (process.platform !== 'linux') return 'FUSE mounts are tested on Linux only';
    try {
      accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
    } catch {
      return '/dev/fuse is not there or not usable';
    }
    const fusepy = spawnSync(PYTHON, ['-c', 'import fusepy'], { encoding: 'utf8' });
    if (fusepy.status !== 0) return `${PYTHON} cannot import fusepy (Debian: apt-get install python3-fusepy)`;
    // Mounting takes CAP_SYS_ADMIN (root in a container may lack it) or a setuid fusermount.
    const capabilities = /^CapEff:\s+([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
    const sysAdmin = (BigInt(`0x${capabilities}`) >> 21n) & 1n;
    if (sysAdmin === 0n && spawnSync('fusermount', ['-V']).error) return 'mounting is not allowed here (no CAP_SYS_ADMIN, no fusermount)';
    return null;
  }

  /** Mounts `backing` at `mountpoint`; the file system's messages go to `logFile`. */
  static async mount(backing: string, mountpoint: string, logFile: string): Promise<LossyMount> {
    const mount = new LossyMount(realpathSync(backing), realpathSync(mountpoint), logFile);
    try {
      await mount.start();
    } catch (err) {
      await mount.stop({ kill: true });
      throw err;
    }
    return mount;
  }

  /** The power cut: the file system's process is killed with every unsynced write it holds; then mounted afresh. */
  async powerCut(): Promise<void> {
    await this.stop({ kill: true });
    await this.start();
  }

  async unmount(): Promise<void> {
    await this.stop({ kill: false });
  }

  private async start(): Promise<void> {
    const log = openSync(this.logFile, 'a');
    const server = spawn(PYTHON, [SCRIPT, this.backing, this.mountpoint], {
      stdio: ['ignore', log, log],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    closeSync(log);
    this.server = server;
    await waitFor(
      () => {
        if (server.exitCode !== null || server.signalCode !== null) {
          throw new Error(`lossyfs exited: ${readFileSync(this.logFile, 'utf8').slice(-2000)}`);
        }
        return isMounted(this.mountpoint);
      },
      `${this.mountpoint} to be mounted`,
      10_000,
    );
  }

  /** `kill`: the server dies with what it holds; otherwise it is unmounted and ends by itself. */
  private async stop({ kill }: { kill: boolean }): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    if (kill) server.kill('SIGKILL');
    // Lazily: a process still holding a file there (a reader the test forgot) does not keep it mounted.
    const unmounted = spawnSync('fusermount', ['-u', '-z', this.mountpoint]);
    if (unmounted.status !== 0 && isMounted(this.mountpoint)) spawnSync('umount', ['-l', this.mountpoint]);
    if (server.exitCode === null && server.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
        server.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

function isMounted(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === path);
}

/** fsyncs every file and folder under `dir`: what an installation left before the test begins is on disk. */
export function syncTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) syncTree(path);
    else if (entry.isFile()) fsyncFile(path);
  }
  fsyncDir(dir);
}
