import type { AccountRegistry } from './accounts/AccountRegistry.js';
import type { E0501Delivery, E0501Service } from './e0501/E0501Service.js';
import type { FaultName } from './faults/faultNames.js';
import type { FaultPlan, FaultSettings, FaultSettingsPatch } from './faults/FaultPlan.js';
import type { GatewayServer } from './gateway/GatewayServer.js';
import type { SimControls } from './gateway/SimControls.js';
import type {
  MaintenanceAnnouncement,
  MaintenanceCalendar,
  MaintenanceWindow,
  MaintenanceWindowInput,
} from './maintenance/MaintenanceCalendar.js';
import type { ExtraRules } from './processing/ExtraRules.js';
import type { ExtraRuleSet } from './processing/ExtraRuleSet.js';
import type { PackOpener } from './processing/PackOpener.js';
import type { PackQueue } from './processing/PackQueue.js';
import type { SimDatabase } from './record/SimDatabase.js';
import type { SimStats } from './record/statsQueries.js';
import type { ResultPublisher } from './results/ResultPublisher.js';
import { knownHostsLine, type HostKey } from './sftp/hostKey.js';
import type { SftpServer } from './sftp/SftpServer.js';
import { SimError } from './SimError.js';
import type { SimEvents } from './SimEvents.js';

/** A simulator started by `startSimulator`: where it listens, and its controls. */
export interface RunningSimulator extends SimControls {
  readonly sftp: { host: '127.0.0.1'; port: number };
  readonly gateway: {
    host: '127.0.0.1';
    port: number;
    /** The gateway base a client is configured with, e.g. `http://127.0.0.1:8080/gateway/api`. */
    url: string;
    /** e.g. `http://127.0.0.1:8080`: `/announcements`, `/stats` and `/_sim/` are here. */
    origin: string;
    basePath: string;
  };
  readonly hostKey: {
    algorithm: string;
    /** `ssh-ed25519 AAAA…` */
    publicKey: string;
    /** The known_hosts entry: `[127.0.0.1]:PORT ssh-ed25519 AAAA…` */
    publicKeyLine: string;
    /** `SHA256:…` */
    fingerprint: string;
  };
  readonly dataDir: string;
  readonly databaseFile: string;
  /** The owner-only file holding the token `/_sim/` requests carry (`Authorization: Bearer <token>`). */
  readonly adminTokenFile: string;
  readonly events: SimEvents;
  /** Resolves when every accepted pack has been decided and every pending result write is done. */
  idle(): Promise<void>;
  /** Stops listening, drops connections, stops processing (queued packs resume on the next start) and closes the database. */
  stop(): Promise<void>;
}

export interface SimulatorParts {
  db: SimDatabase;
  accounts: AccountRegistry;
  calendar: MaintenanceCalendar;
  faults: FaultPlan;
  queue: PackQueue;
  publisher: ResultPublisher;
  opener: PackOpener;
  e0501: E0501Service;
  events: SimEvents;
  rules: ExtraRuleSet;
}

/** The running simulator: its parts, its servers once listening, and the controls over them. */
export class Simulator implements RunningSimulator {
  sftp!: RunningSimulator['sftp'];
  gateway!: RunningSimulator['gateway'];
  hostKey!: RunningSimulator['hostKey'];
  readonly dataDir: string;
  readonly databaseFile: string;
  readonly adminTokenFile: string;
  readonly events: SimEvents;
  private servers: { sftp: SftpServer; gateway: GatewayServer } | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly parts: SimulatorParts,
    private readonly key: HostKey,
    where: Pick<RunningSimulator, 'dataDir' | 'databaseFile' | 'adminTokenFile'>,
  ) {
    this.dataDir = where.dataDir;
    this.databaseFile = where.databaseFile;
    this.adminTokenFile = where.adminTokenFile;
    this.events = parts.events;
  }

  /** Starts both servers (made by the caller, since the gateway needs these controls) and records where they listen. */
  async listen(
    servers: { sftp: SftpServer; gateway: GatewayServer },
    ports: { sftp: number; gateway: number },
    basePath: string,
  ): Promise<void> {
    this.servers = servers;
    const sftpPort = await servers.sftp.listen(ports.sftp);
    const gatewayPort = await servers.gateway.listen(ports.gateway);
    const origin = `http://127.0.0.1:${gatewayPort}`;
    this.sftp = { host: '127.0.0.1', port: sftpPort };
    this.gateway = { host: '127.0.0.1', port: gatewayPort, url: `${origin}${basePath}`, origin, basePath };
    this.hostKey = {
      algorithm: this.key.algorithm,
      publicKey: `${this.key.algorithm} ${this.key.publicKeyBase64}`,
      publicKeyLine: knownHostsLine(this.key, sftpPort),
      fingerprint: this.key.fingerprint,
    };
  }

  faults(): { settings: FaultSettings; fired: Record<FaultName, number> } {
    return { settings: this.parts.faults.settings(), fired: this.parts.faults.firedCounts() };
  }

  setFaults(patch: FaultSettingsPatch): FaultSettings {
    this.ensureRunning();
    return this.parts.faults.update(patch);
  }

  announcements(): MaintenanceAnnouncement[] {
    return this.parts.calendar.announcements();
  }

  addMaintenanceWindow(window: MaintenanceWindowInput): MaintenanceWindow {
    this.ensureRunning();
    const added = this.parts.calendar.add(window);
    // A window in force now takes the platform down: sessions already logged in end, as on the real platform.
    if (this.parts.calendar.activeAt() && this.servers) this.servers.sftp.dropConnections();
    return added;
  }

  clearMaintenanceWindows(): void {
    this.parts.calendar.clearRuntime();
  }

  async requestE0501(period: string, options: { partyId?: string } = {}): Promise<E0501Delivery[]> {
    this.ensureRunning();
    return this.parts.e0501.request(period, options);
  }

  rules(): ExtraRules {
    return structuredClone(this.parts.rules.get());
  }

  setRules(patch: Partial<ExtraRules>): ExtraRules {
    this.ensureRunning();
    return this.parts.rules.update(patch);
  }

  stats(options: { invoice?: string } = {}): SimStats {
    this.ensureRunning();
    return this.parts.db.stats(options);
  }

  async idle(): Promise<void> {
    // Deciding a pack may schedule result writes, and a delayed write never queues a pack: two rounds settle it.
    do {
      await this.parts.queue.idle();
      await this.parts.publisher.idle();
    } while (this.parts.queue.length > 0 || this.parts.publisher.pending > 0);
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const { e0501, queue, publisher, opener, db } = this.parts;
    await Promise.all([this.servers?.sftp.close(), this.servers?.gateway.close()]);
    e0501.stop();
    queue.stop();
    publisher.stop();
    await opener.close();
    db.close();
  }

  private ensureRunning(): void {
    if (this.stopping) throw new SimError('sim-stopped', 'the simulator has been stopped');
  }
}
