import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2, { type Algorithms, type Connection } from 'ssh2';
import type { AccountRegistry } from '../accounts/AccountRegistry.js';
import type { FaultPlan } from '../faults/FaultPlan.js';
import type { MaintenanceCalendar } from '../maintenance/MaintenanceCalendar.js';
import type { SimDatabase } from '../record/SimDatabase.js';
import { SimError } from '../SimError.js';
import type { SimEvents } from '../SimEvents.js';
import type { SimLogger } from '../SimLogger.js';
import type { SimLayout } from '../storage/SimLayout.js';
import type { HostKey } from './hostKey.js';
import { SftpSession } from './SftpSession.js';

export interface SftpServerDeps {
  layout: SimLayout;
  accounts: AccountRegistry;
  calendar: MaintenanceCalendar;
  faults: FaultPlan;
  db: SimDatabase;
  events: SimEvents;
  logger: SimLogger;
  hostKey: HostKey;
  /** SSH algorithm lists (ssh2's names), e.g. to offer only legacy ones as older platform hosts did. */
  algorithms?: Algorithms;
  /** Every SFTP request (and the login) is answered this much later (a simulated link's round trip). */
  latencyMs?: number;
}

/**
 * The platform's SFTP server, on 127.0.0.1 only: password login with a transport account (refused
 * during a maintenance window), the SFTP subsystem and nothing else (no shell, exec or forwarding).
 * Connections arrive on a plain TCP server first, so the `sftpConnectRefused` fault can drop one
 * before the SSH handshake.
 */
export class SftpServer {
  private readonly tcp: NetServer;
  private readonly ssh: ssh2.Server;
  private readonly sockets = new Set<Socket>();
  private readonly clients = new Set<Connection>();

  constructor(private readonly deps: SftpServerDeps) {
    this.ssh = new ssh2.Server(
      { hostKeys: [deps.hostKey.privateKey], ident: 'turnkey-sim', ...(deps.algorithms && { algorithms: deps.algorithms }) },
      (client) => this.onClient(client),
    );
    this.tcp = createServer((socket) => this.onSocket(socket));
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (cause: NodeJS.ErrnoException) =>
        reject(
          new SimError('sim-listen', `the SFTP server cannot listen on 127.0.0.1:${port} (${cause.code ?? cause.message})`, {
            cause,
            hint: 'Pick another sftp.port, or 0 to let the system choose one.',
          }),
        );
      this.tcp.once('error', onError);
      this.tcp.listen(port, '127.0.0.1', () => {
        this.tcp.off('error', onError);
        resolve((this.tcp.address() as { port: number }).port);
      });
    });
  }

  /** Ends every logged-in connection (the platform went down for maintenance); new logins are refused during the window. */
  dropConnections(): number {
    const count = this.clients.size;
    for (const client of this.clients) client.end();
    return count;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    for (const client of this.clients) client.end();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private onSocket(socket: Socket): void {
    const { faults, db, events, logger } = this.deps;
    if (faults.draw('sftpConnectRefused')) {
      db.recordFault('sftpConnectRefused', null);
      events.emit('fault', { fault: 'sftpConnectRefused', detail: null });
      logger.warn({}, 'fault: SFTP connection dropped before the handshake');
      socket.resetAndDestroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // As the client does: without it every reply to a small request waits for a delayed ACK.
    socket.setNoDelay(true);
    this.ssh.injectSocket(socket);
  }

  private onClient(client: Connection): void {
    const { accounts, calendar, logger, layout } = this.deps;
    this.clients.add(client);
    let account: string | null = null;
    const sessions: SftpSession[] = [];

    client.on('authentication', (ctx) => {
      if (ctx.method !== 'password') return ctx.reject(['password']);
      const window = calendar.activeAt();
      if (window) {
        logger.warn({ user: ctx.username, window: window.id }, 'SFTP login refused: maintenance window');
        return ctx.reject([]);
      }
      const found = accounts.authenticate(ctx.username, ctx.password);
      if (!found) {
        logger.warn({ user: ctx.username }, 'SFTP login refused: wrong transport id or password');
        return ctx.reject(['password']);
      }
      account = found.transportId;
      logger.info({ account }, 'SFTP login');
      const latency = this.deps.latencyMs ?? 0;
      if (latency > 0) setTimeout(() => ctx.accept(), latency);
      else ctx.accept();
    });

    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          sessions.push(
            new SftpSession(
              sftp,
              account!,
              { layout, db: this.deps.db, faults: this.deps.faults, events: this.deps.events, logger, latencyMs: this.deps.latencyMs ?? 0 },
              () => client.end(),
            ),
          );
        });
        session.on('exec', (_accept, reject) => reject());
        session.on('shell', (_accept, reject) => reject());
        session.on('pty', (_accept, reject) => reject?.());
        session.on('subsystem', (_accept, reject) => reject());
      });
      client.on('tcpip', (_accept, reject) => reject());
      client.on('request', (_accept, reject) => reject?.());
    });

    client.on('error', (error) => logger.warn({ account, err: error.message }, 'SFTP connection error'));
    client.on('close', () => {
      this.clients.delete(client);
      for (const s of sessions) s.release();
    });
  }
}
