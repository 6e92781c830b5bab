import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { GATEWAY_FAULTS, type GatewayFault } from '../faults/faultNames.js';
import type { FaultPlan } from '../faults/FaultPlan.js';
import { renderICalendar } from '../maintenance/icalendar.js';
import type { MaintenanceCalendar } from '../maintenance/MaintenanceCalendar.js';
import type { SimDatabase } from '../record/SimDatabase.js';
import { SimError } from '../SimError.js';
import type { SimEvents } from '../SimEvents.js';
import type { SimLogger } from '../SimLogger.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { handleAdmin } from './AdminRoutes.js';
import { BodyTooLargeError, readBody, sendJson, sendText } from './httpIo.js';
import type { NotificationHandler, NotificationOutcome } from './NotificationHandler.js';
import type { SimControls } from './SimControls.js';

const NOTIFICATION_BODY_LIMIT = 64 * 1024;
const FAULT_STATUS: Record<'gateway500' | 'gateway502' | 'gateway503', [number, string]> = {
  gateway500: [500, 'Internal Server Error'],
  gateway502: [502, 'Bad Gateway'],
  gateway503: [503, 'Service Unavailable'],
};

export interface GatewayServerDeps {
  /** e.g. `/gateway/api`. */
  basePath: string;
  handler: NotificationHandler;
  calendar: MaintenanceCalendar;
  faults: FaultPlan;
  db: SimDatabase;
  events: SimEvents;
  logger: SimLogger;
  controls: SimControls;
  /** What `/_sim/` requests must carry as `Authorization: Bearer <token>`. */
  adminToken: string;
  /** Every request is answered this much later (a simulated link's round trip). */
  latencyMs?: number;
}

/**
 * The platform's HTTP gateway, on 127.0.0.1 only:
 * - `POST <basePath>/pfs001i/uploadInvoiceMessage`: the PFS001 notification (503 with a
 *   maintenance notice during a window; the gateway faults apply here);
 * - `GET /announcements` (JSON) and `GET /announcements.ics` (iCalendar): the announced windows;
 * - `GET /stats[?invoice=NUMBER]`: the counts per message number, read-only;
 * - `/_sim/...`: the admin endpoints (see AdminRoutes).
 */
export class GatewayServer {
  private readonly server: Server;
  private readonly held = new Set<ServerResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly notifyPath: string;

  constructor(private readonly deps: GatewayServerDeps) {
    this.notifyPath = `${deps.basePath}/pfs001i/uploadInvoiceMessage`;
    this.server = createServer((req, res) => {
      const answer = (): void => {
        this.route(req, res).catch((error: unknown) => {
          deps.logger.error({ err: (error as Error).message, url: req.url }, 'gateway request failed');
          if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'the simulator failed on this request' } });
          else res.destroy();
        });
      };
      const latency = deps.latencyMs ?? 0;
      if (latency === 0) return answer();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        answer();
      }, latency);
      this.timers.add(timer);
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (cause: NodeJS.ErrnoException) =>
        reject(
          new SimError('sim-listen', `the gateway cannot listen on 127.0.0.1:${port} (${cause.code ?? cause.message})`, {
            cause,
            hint: 'Pick another gateway.port, or 0 to let the system choose one.',
          }),
        );
      this.server.once('error', onError);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', onError);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const res of this.held) res.destroy();
    this.held.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (path === this.notifyPath) {
      if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'method', message: 'use POST' } }, { Allow: 'POST' });
      return this.notify(req, res);
    }
    if (path.startsWith('/_sim/')) return handleAdmin(req, res, path, this.deps.controls, this.deps.adminToken);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, { error: { code: 'method', message: 'use GET' } }, { Allow: 'GET, HEAD' });
    }
    switch (path) {
      case '/announcements':
        return sendJson(res, 200, this.deps.calendar.announcements(), { 'Cache-Control': 'no-cache' });
      case '/announcements.ics':
        return sendText(res, 200, renderICalendar(this.deps.calendar.list()), 'text/calendar; charset=utf-8', {
          'Cache-Control': 'no-cache',
        });
      case '/stats': {
        const invoice = url.searchParams.get('invoice');
        return sendJson(res, 200, this.deps.controls.stats(invoice === null ? {} : { invoice }));
      }
      default:
        return sendJson(res, 404, { error: { code: 'not-found', message: `nothing at ${path}` } });
    }
  }

  private async notify(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { calendar, faults, db, events, logger, handler } = this.deps;
    const window = calendar.activeAt();
    if (window) {
      db.recordNotification({
        account: null,
        filename: null,
        retry: null,
        httpStatus: 503,
        statusCode: 503,
        code: 'maintenance',
        fault: null,
      });
      const retryAfter = Math.max(1, Math.ceil((window.end.getTime() - Date.now()) / 1000));
      return sendJson(
        res,
        503,
        {
          statusCode: 503,
          statusDetail: [
            { code: 'maintenance', description: window.description, parameter: [toTaiwanIso(window.start), toTaiwanIso(window.end)] },
          ],
          maintenance: { id: window.id, start: toTaiwanIso(window.start), end: toTaiwanIso(window.end), description: window.description },
        },
        { 'Retry-After': String(retryAfter) },
      );
    }

    let raw: Buffer;
    try {
      raw = await readBody(req, NOTIFICATION_BODY_LIMIT);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, {
          statusCode: 413,
          statusDetail: [{ code: 'body-too-large', description: error.message, parameter: [] }],
        });
      throw error;
    }

    const fault = faults.pick(GATEWAY_FAULTS);
    if (fault) {
      db.recordFault(fault, null);
      events.emit('fault', { fault, detail: null });
      logger.warn({ fault }, 'fault: gateway');
    }
    if (fault === 'gateway500' || fault === 'gateway502' || fault === 'gateway503') {
      const [status, text] = FAULT_STATUS[fault];
      db.recordNotification({ account: null, filename: null, retry: null, httpStatus: status, statusCode: -1, code: fault, fault });
      return sendText(res, status, text);
    }
    if (fault === 'gatewayReset') {
      db.recordNotification({ account: null, filename: null, retry: null, httpStatus: 0, statusCode: -1, code: fault, fault });
      req.socket.resetAndDestroy();
      return;
    }

    const outcome = handler.handle(req.headers.authorization, req.headers['content-type'], raw);
    db.recordNotification({
      account: outcome.account,
      filename: outcome.filename,
      retry: outcome.retry,
      httpStatus: outcome.httpStatus,
      statusCode: outcome.body.statusCode,
      code: outcome.code,
      fault,
    });
    events.emit('notification', {
      account: outcome.account,
      filename: outcome.filename,
      httpStatus: outcome.httpStatus,
      statusCode: outcome.body.statusCode,
      code: outcome.code,
    });
    this.answer(res, outcome, fault);
  }

  /** Sends the answer now, later (slow response), or never (timeout after accepting). */
  private answer(res: ServerResponse, outcome: NotificationOutcome, fault: GatewayFault | null): void {
    const send = () => {
      this.held.delete(res);
      if (!res.destroyed && !res.writableEnded) sendJson(res, outcome.httpStatus, outcome.body, outcome.headers);
    };
    const settings = this.deps.faults.settings();
    const delay =
      fault === 'gatewayTimeoutAfterAccept' ? settings.timeoutAfterAcceptMs : fault === 'gatewaySlowResponse' ? settings.slowResponseMs : 0;
    if (delay === 0) return send();
    this.held.add(res);
    res.once('close', () => this.held.delete(res));
    if (delay === null) return; // never answered: the client gives up, or the simulator stops
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, delay);
    this.timers.add(timer);
  }
}
