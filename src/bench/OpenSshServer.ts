import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const SSHD = '/usr/sbin/sshd';

/**
 * Why OpenSSH's own server cannot run here, or null when it can: it needs Debian's openssh-server
 * (`.ci/run` installs it where it may) and root, to make a throw-away user.
 */
export function opensshUnavailable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install openssh-server)`;
  if (process.getuid?.() !== 0) return 'not root: a throw-away user cannot be made';
  return null;
}

/**
 * For the OpenSSH end-to-end test and `bench:e2e --openssh`: OpenSSH's sshd on a loopback port
 * with a configuration of its own, for one throw-away user whose every session is `internal-sftp`
 * starting in `home` (the simulator's account folder, so that `in/` and `out/` are the simulator's
 * own): the platform's SFTP side played by the real thing.
 */
export class OpenSshServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly user: string,
    readonly password: string,
    /** The known_hosts line of its host key for `[127.0.0.1]:port`. */
    readonly knownHostsLine: string,
    /** What sshd wrote on stderr so far. */
    readonly log: () => string,
  ) {}

  /** The server's host key in `dir` (made on first use), and its known_hosts line for `[127.0.0.1]:port`. */
  static hostKey(dir: string, port: number): string {
    const file = OpenSshServer.hostKeyFile(dir);
    const [type, key] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
    return `[127.0.0.1]:${port} ${type} ${key}`;
  }

  private static hostKeyFile(dir: string): string {
    const file = join(dir, 'openssh_host_ed25519_key');
    if (!existsSync(file)) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
    return file;
  }

  /** A throw-away Unix user with a random password; `OpenSshServer.stop` deletes it. */
  static createUser(): { user: string; password: string } {
    const user = `tk${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('base64url');
    execFileSync('useradd', ['--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', user]);
    execFileSync('chpasswd', [], { input: `${user}:${password}\n` });
    return { user, password };
  }

  static async start(dir: string, home: string, port: number, account: { user: string; password: string }): Promise<OpenSshServer> {
    const { user, password } = account;
    // The sftp session runs as the user: it may write uploads and delete results; the simulator (root) reads what it writes.
    for (const sub of ['in', 'out']) chmodSync(join(home, sub), 0o777);
    for (const folder of [home, dirname(home)]) chmodSync(folder, 0o755);
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const hostKey = OpenSshServer.hostKeyFile(dir);
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        'UsePAM no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication no',
        'PermitRootLogin no',
        `AllowUsers ${user}`,
        'StrictModes no',
        'Subsystem sftp internal-sftp',
        `ForceCommand internal-sftp -d ${home}${process.env.TURNKEY_SSHD_LOG ? ` -l ${process.env.TURNKEY_SSHD_LOG}` : ''}`,
        `LogLevel ${process.env.TURNKEY_SSHD_LOG ?? 'ERROR'}`,
        '',
      ].join('\n'),
    );
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const server = new OpenSshServer(child, port, user, password, OpenSshServer.hostKey(dir, port), () => stderr);
    const deadline = Date.now() + 10_000;
    while (!(await listening(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await server.stop();
        throw new Error(`sshd did not start: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return server;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    OpenSshServer.deleteUser(this.user);
  }

  static deleteUser(user: string): void {
    try {
      execFileSync('userdel', [user], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
