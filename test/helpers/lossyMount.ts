import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readdirSync, readFileSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './daemonProcess.js';

const SCRIPT = join(import.meta.dirname, 'lossyfs.py');
const PYTHON = '/usr/bin/python3';

/**
 * A folder mounted through lossyfs.py (FUSE): writes reach the disk only when fsync'd, and
 * `powerCut()` drops every other write, as a machine that loses its power drops its page cache.
 */
export class LossyMount {
  private server: ChildProcess | null = null;
  private output = '';

  private constructor(
    readonly backing: string,
    readonly mountpoint: string,
  ) {}

  /** Why this machine cannot run it (no FUSE, no python3-fusepy, not allowed to mount), or null. */
  static unavailable(): string | null {
    if (process.platform !== 'linux') return 'FUSE mounts are tested on Linux only';
    try {
      accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
    } catch {
      return '/dev/fuse is not there or not usable';
    }
    const fusepy = spawnSync(PYTHON, ['-c', 'import fusepy'], { encoding: 'utf8' });
    if (fusepy.status !== 0) return `${PYTHON} cannot import fusepy (Debian: apt-get install python3-fusepy fuse)`;
    if (spawnSync('fusermount', ['-V']).error && process.getuid?.() !== 0) return 'no fusermount, and not root';
    return null;
  }

  static async mount(backing: string, mountpoint: string): Promise<LossyMount> {
    const mount = new LossyMount(backing, mountpoint);
    await mount.start();
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
    const server = spawn(PYTHON, [SCRIPT, this.backing, this.mountpoint], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.server = server;
    this.output = '';
    server.stdout!.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    server.stderr!.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    await waitFor(
      () => {
        if (server.exitCode !== null) throw new Error(`lossyfs exited: ${this.output}`);
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
    else if (entry.isFile()) fsyncOne(path);
  }
  fsyncOne(dir);
}

function fsyncOne(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
