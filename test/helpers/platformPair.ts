import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freeLoopbackPorts } from '../../src/sandbox/freeLoopbackPorts.js';
import { generateTestCertificate } from '../../src/protocol/cms/index.js';
import { queryStats, type SimStats } from '../../src/sim/record/statsQueries.js';
import { knownHostsLine, loadOrCreateHostKey } from '../../src/sim/sftp/hostKey.js';
import { SimLayout } from '../../src/sim/storage/SimLayout.js';
import { fsyncFile } from '../../src/fs/fsyncDir.js';
import { BIN, PROJECT_ROOT } from './build.js';
import { DaemonProcess, sleep, waitFor } from './daemonProcess.js';
import { simAdminHeaders } from './simAdmin.js';
import { banWithPrefix, DEFAULT_SELLER_ID, f0401Xml, invoiceNumber } from './f0401.js';

/** The second sender's BAN (a branch with its own certificate and transport account). */
export const SECOND_SELLER_ID = banWithPrefix('5371842');
import { FAST, writeTestConfig } from './testConfig.js';

/**
 * A daemon and a platform simulator as two real processes on loopback, wired together as a
 * merchant would wire them to the MOF (platform mode `remote`): a test certificate registered with
 * the simulator, the simulator's host key in known_hosts, fixed ports.
 */
export class PlatformPair {
  sim: ChildProcess | null = null;
  daemon: DaemonProcess | null = null;
  private simOutput = '';

  private constructor(
    readonly dir: string,
    readonly simConfigFile: string,
    readonly daemonConfigFile: string,
    readonly database: string,
    readonly simDataDir: string,
    readonly gatewayOrigin: string,
  ) {}

  /**
   * `senders: 2` configures a second sender (SECOND_SELLER_ID, its own certificate and transport
   * account `merchant2`) beside the first (DEFAULT_SELLER_ID), as a head office and a branch on one server.
   */
  static async create(
    dir: string,
    options: {
      sim?: Record<string, unknown>;
      outbound?: Record<string, unknown>;
      platform?: Record<string, unknown>;
      senders?: 1 | 2;
      /** The daemon's SFTP and gateway timeouts (3 and 2 s by default: failures are found fast). */
      timeoutSeconds?: { sftp: number; gateway: number };
      /** Further sections of the daemon's configuration (maintenance, deadlines, schedules), given the gateway's origin. */
      config?: Record<string, unknown> | ((gatewayOrigin: string) => Record<string, unknown>);
      /** Where the simulator's configuration and data live (default: `dir`), e.g. off a file system the test damages. */
      simDir?: string;
    } = {},
  ): Promise<PlatformPair> {
    const [sftpPort, gatewayPort] = await freeLoopbackPorts(2);
    const certificate = generateTestCertificate({ commonName: 'e2e merchant', password: 'pfx-secret' });
    const simDir = options.simDir ?? dir;
    writeFileSync(join(dir, 'merchant.pfx'), certificate.pfx);
    writeFileSync(join(simDir, 'merchant.cer'), certificate.certificatePem);
    const accounts: Array<Record<string, unknown>> = [
      {
        transportId: 'merchant1',
        password: 'transport-secret',
        partyId: DEFAULT_SELLER_ID,
        routingId: DEFAULT_SELLER_ID,
        certificates: ['merchant.cer'],
      },
    ];
    const senders: Array<Record<string, unknown>> = [{ partyId: DEFAULT_SELLER_ID }];
    if (options.senders === 2) {
      const second = generateTestCertificate({ commonName: 'e2e branch', password: 'pfx-secret-2' });
      writeFileSync(join(dir, 'branch.pfx'), second.pfx);
      writeFileSync(join(simDir, 'branch.cer'), second.certificatePem);
      accounts.push({
        transportId: 'merchant2',
        password: 'transport-secret-2',
        partyId: SECOND_SELLER_ID,
        routingId: SECOND_SELLER_ID,
        certificates: ['branch.cer'],
      });
      senders.push({
        partyId: SECOND_SELLER_ID,
        transport: { id: 'merchant2', password: 'transport-secret-2' },
        certificate: { pfx: 'branch.pfx', password: 'pfx-secret-2' },
      });
    }
    const simDataDir = join(simDir, 'sim');
    mkdirSync(simDataDir, { recursive: true });
    const hostKey = loadOrCreateHostKey(new SimLayout(simDataDir).hostKeyFile);
    writeFileSync(join(dir, 'known_hosts'), `${knownHostsLine(hostKey, sftpPort!)}\n`);

    const simConfigFile = join(simDir, 'sim.config.json');
    writeFileSync(
      simConfigFile,
      JSON.stringify({
        dataDir: 'sim',
        sftp: { port: sftpPort },
        gateway: { port: gatewayPort },
        accounts,
        processingDelayMs: 0,
        ...options.sim,
      }),
    );
    const { file, config } = writeTestConfig(dir, {
      ...FAST,
      outbound: {
        maxPackWaitSeconds: 0.2,
        tickMs: 50,
        resultPollSeconds: 0.5,
        resultPollSoonSeconds: 0.2,
        retry: { baseDelaySeconds: 0.05, maxDelaySeconds: 0.5 },
        breaker: { openSeconds: 0.3, maxOpenSeconds: 1 },
        ...options.outbound,
      },
      platform: {
        mode: 'remote',
        transport: { id: 'merchant1', password: 'transport-secret' },
        certificate: { pfx: 'merchant.pfx', password: 'pfx-secret' },
        senders,
        sftp: { host: '127.0.0.1', port: sftpPort, knownHostsFile: 'known_hosts', timeoutSeconds: options.timeoutSeconds?.sftp ?? 3 },
        gateway: {
          baseUrl: `http://127.0.0.1:${gatewayPort}/gateway/api`,
          connectTimeoutSeconds: 2,
          totalTimeoutSeconds: options.timeoutSeconds?.gateway ?? 2,
        },
        ...options.platform,
      },
      ...(typeof options.config === 'function' ? options.config(`http://127.0.0.1:${gatewayPort}`) : options.config),
    } as Parameters<typeof writeTestConfig>[1]);
    return new PlatformPair(dir, simConfigFile, file, config.database, simDataDir, `http://127.0.0.1:${gatewayPort}`);
  }

  /** Starts `turnkey sim` and waits for it to say where it listens. */
  async startSim(): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'sim', '--config', this.simConfigFile, '--json', '--log-level', 'warn'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.sim = child;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.simOutput += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.simOutput += d));
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`turnkey sim exited: ${this.simOutput}`);
        return this.simOutput.includes('"gateway"');
      },
      'the simulator to listen',
      20_000,
    );
  }

  async startDaemon(env: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
    this.daemon = DaemonProcess.start(this.daemonConfigFile, env);
    await this.daemon.waitUntilRunning(this.database);
    return this.daemon;
  }

  /** Drops F0401 files the way an ERP should: written as .tmp, then renamed into SRC. */
  dropInvoices(count: number, offset = 0, make: (n: number) => string = (n) => f0401Xml({ number: invoiceNumber(n) })): string[] {
    const src = join(this.dir, 'UpCast/B2SSTORAGE/F0401/SRC');
    mkdirSync(src, { recursive: true });
    const numbers: string[] = [];
    for (let i = offset; i < offset + count; i++) {
      const number = invoiceNumber(i);
      writeFileSync(join(src, `${number}.xml.tmp`), make(i));
      renameSync(join(src, `${number}.xml.tmp`), join(src, `${number}.xml`));
      numbers.push(number);
    }
    return numbers;
  }

  /**
   * Drops messages of any type the way an ERP should, each into its type's SRC folder. `durable`:
   * each file fsync'd before its rename, so that a power cut after the drop cannot empty it.
   */
  dropMessages(messages: ReadonlyArray<{ type: string; name: string; xml: string }>, options: { durable?: boolean } = {}): void {
    for (const m of messages) {
      const src = join(this.dir, 'UpCast', m.type.startsWith('E') ? 'B2PMESSAGE' : 'B2SSTORAGE', m.type, 'SRC');
      mkdirSync(src, { recursive: true });
      const staged = join(src, `${m.name}.tmp`);
      writeFileSync(staged, m.xml);
      if (options.durable) fsyncFile(staged);
      renameSync(staged, join(src, m.name));
    }
  }

  /** Message counts by state, read from the daemon's store. */
  states(): Record<string, number> {
    const db = new Database(this.database, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT state, count(*) AS n FROM messages GROUP BY state').all() as Array<{ state: string; n: number }>;
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    } catch {
      return {};
    } finally {
      db.close();
    }
  }

  async waitForFinal(count: number, timeoutMs = 60_000): Promise<Record<string, number>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = this.states();
      if ((states.confirmed ?? 0) + (states.rejected ?? 0) === count) return states;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${count} final messages; now ${JSON.stringify(states)}; daemon log ` +
            `tail:\n${this.daemon?.output.stdout.slice(-3000) ?? ''}\n${this.daemon?.output.stderr ?? ''}`,
        );
      }
      await sleep(200);
    }
  }

  /** The simulator's own record: the ground truth of what it accepted. */
  simStats(): SimStats {
    const db = new Database(new SimLayout(this.simDataDir).databaseFile, { readonly: true, fileMustExist: true });
    try {
      return queryStats(db);
    } finally {
      db.close();
    }
  }

  async setFaults(patch: Record<string, unknown>): Promise<void> {
    const response = await this.simAdmin('PUT', '/_sim/faults', patch);
    if (!response.ok) throw new Error(`PUT /_sim/faults: ${response.status} ${await response.text()}`);
  }

  /** A `/_sim/` request to the simulator process, with its admin token. */
  simAdmin(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.gatewayOrigin}${path}`, {
      method,
      headers: simAdminHeaders(join(this.simDataDir, 'admin.token')),
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  }

  async stop(): Promise<void> {
    await this.daemon?.stop();
    // Not again once it has exited (a code) or been ended (a signal): a second stop returns at once.
    if (this.sim && this.sim.exitCode === null && this.sim.signalCode === null) {
      const exited = new Promise((resolve) => this.sim!.once('exit', resolve));
      this.sim.kill('SIGTERM');
      await exited;
    }
  }
}

/** Each message accepted by the platform exactly once (its own record is the ground truth), none seen twice. */
export function acceptedOnce(stats: SimStats, messages: ReadonlyArray<{ type: string; number: string }>): string[] {
  const problems: string[] = [];
  const byKey = new Map(stats.invoices.map((i) => [`${i.messageType} ${i.number}`, i]));
  for (const m of messages) {
    const counts = byKey.get(`${m.type} ${m.number}`);
    if (!counts || counts.accepted !== 1 || counts.duplicate !== 0)
      problems.push(`${m.type} ${m.number}: ${JSON.stringify(counts ?? null)}`);
  }
  return problems;
}
