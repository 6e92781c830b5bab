import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ConfigError, TurnkeyError } from '../errors/index.js';
import type { MetricsSource } from './StoreMetrics.js';

/** The only address the endpoint listens on: it is for a Prometheus agent or a probe on the same machine. */
export const METRICS_HOST = '127.0.0.1';

export interface MetricsServerOptions {
  /** Must be 127.0.0.1. */
  host: string;
  /** 0: any free port (tests); `start()` says which. */
  port: number;
  logger?: Logger;
}

/** Names a request may carry in its Host header: the loopback address and names; anything else is a DNS-rebinding page. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The health and metrics endpoint: `GET /healthz` (200 `{"status":"ok", …}` while the daemon runs,
 * else 503 and why) and `GET /metrics` (Prometheus' text format). Nothing else is served (404);
 * other methods get 405. It listens on 127.0.0.1 only (any other host is refused when it is made)
 * and answers only requests whose Host header names the loopback, so a web page in a browser on the
 * same machine cannot read it through DNS rebinding. Requests have no body and short time limits.
 */
export class MetricsServer {
  private server: Server | null = null;

  constructor(
    private readonly source: MetricsSource,
    private readonly options: MetricsServerOptions,
  ) {
    if (options.host !== METRICS_HOST) {
      throw new ConfigError(`the metrics endpoint listens on ${METRICS_HOST} only, not ${options.host}`, {
        hint: `Set metrics.listen to "${METRICS_HOST}:<port>"; to scrape from elsewhere, run an agent on this machine or tunnel to it.`,
      });
    }
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
      throw new ConfigError(`the metrics port must be 0–65535 (got ${options.port})`);
    }
  }

  /** `127.0.0.1:9464` → host and port; a host other than 127.0.0.1 is refused. */
  static parseListen(listen: string): { host: string; port: number } {
    const match = /^(.*):(\d{1,5})$/.exec(listen);
    if (!match) throw new ConfigError(`metrics.listen must be "${METRICS_HOST}:<port>" (got ${JSON.stringify(listen)})`);
    const host = match[1]!;
    const port = Number(match[2]);
    if (host !== METRICS_HOST) {
      throw new ConfigError(`metrics.listen: the endpoint listens on ${METRICS_HOST} only (got ${JSON.stringify(host)})`, {
        hint: 'Metrics and health are for the machine itself: a Prometheus agent or a service probe on it.',
      });
    }
    if (port > 65535) throw new ConfigError(`metrics.listen: ${port} is not a port`);
    return { host, port };
  }

  /** Reads what only grows (once), listens, and resolves with the port. */
  async start(): Promise<number> {
    if (this.server) throw new Error('the metrics endpoint is already started');
    this.source.prime?.();
    const server = createServer((req, res) => void this.handle(req, res));
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    server.keepAliveTimeout = 5_000;
    server.maxHeadersCount = 50;
    server.maxConnections = 32;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new TurnkeyError('metrics-listen', `the metrics endpoint cannot listen on ${METRICS_HOST}:${this.options.port}: ${err.code}`, {
            cause: err,
            hint: err.code === 'EADDRINUSE' ? 'Another program uses that port: choose another in metrics.listen.' : undefined,
          }),
        ),
      );
      server.listen({ host: METRICS_HOST, port: this.options.port, exclusive: true }, () => resolve());
    });
    server.on('error', (err) => this.options.logger?.warn({ event: 'metrics-server-error', err }, 'the metrics endpoint failed'));
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  /** Stops listening and closes every connection (a scrape in progress is cut). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
      if (req.headers.host !== undefined && !LOOPBACK_NAMES.has(host)) return send(res, 421, 'text/plain', 'misdirected request\n');
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      if (path !== '/healthz' && path !== '/metrics') return send(res, 404, 'text/plain', 'not found\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        return send(res, 405, 'text/plain', 'method not allowed\n');
      }
      const head = req.method === 'HEAD';
      if (path === '/healthz') {
        const { status, body } = this.source.health();
        return send(res, status, 'application/json', `${JSON.stringify(body)}\n`, head);
      }
      const { contentType, text } = await this.source.metrics();
      return send(res, 200, contentType, text, head);
    } catch (err) {
      this.options.logger?.warn({ event: 'metrics-failed', err }, 'the metrics could not be read');
      if (!res.headersSent) send(res, 503, 'text/plain', 'metrics unavailable\n');
      else res.destroy();
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string, head = false): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(head ? undefined : body);
}
