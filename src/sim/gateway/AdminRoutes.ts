import type { IncomingMessage, ServerResponse } from 'node:http';
import { TurnkeyError } from '../../errors/TurnkeyError.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { secretEquals } from '../accounts/secretEquals.js';
import { readBody, sendJson } from './httpIo.js';
import type { SimControls } from './SimControls.js';

const ADMIN_BODY_LIMIT = 64 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `/_sim/...`: the operator's and the tests' handles on a running simulator, from loopback only, with
 * the admin token (see refuseAdmin).
 * - `GET /_sim/faults` → `{settings, fired}`; `PUT /_sim/faults` with a settings patch → the new settings
 * - `GET /_sim/maintenance` → the announced windows; `POST /_sim/maintenance` `{start, end, description?}`
 *   → the added window; `DELETE /_sim/maintenance` → removes the windows added at run time
 * - `POST /_sim/e0501` `{period, partyId?}` → the E0501 files written
 * - `GET /_sim/rules`; `PUT /_sim/rules` with a patch of the extra rules → the new rules
 */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  controls: SimControls,
  adminToken: string,
): Promise<void> {
  const refusal = refuseAdmin(req, adminToken);
  if (refusal) return sendJson(res, refusal.status, { error: { code: refusal.code, message: refusal.message } });
  const route = `${req.method ?? 'GET'} ${path}`;
  try {
    switch (route) {
      case 'GET /_sim/faults':
        return sendJson(res, 200, controls.faults());
      case 'PUT /_sim/faults':
        return sendJson(res, 200, { settings: controls.setFaults(await jsonBody(req)) });
      case 'GET /_sim/maintenance':
        return sendJson(res, 200, controls.announcements());
      case 'POST /_sim/maintenance': {
        const body = await jsonBody(req);
        const window = controls.addMaintenanceWindow(body as { start: string; end: string; description?: string });
        return sendJson(res, 201, {
          id: window.id,
          start: toTaiwanIso(window.start),
          end: toTaiwanIso(window.end),
          description: window.description,
        });
      }
      case 'DELETE /_sim/maintenance':
        controls.clearMaintenanceWindows();
        return sendJson(res, 200, controls.announcements());
      case 'POST /_sim/e0501': {
        const body = (await jsonBody(req)) as { period?: unknown; partyId?: unknown };
        if (typeof body.period !== 'string') return badRequest(res, 'period (e.g. "11512") is required');
        if (body.partyId !== undefined && typeof body.partyId !== 'string') return badRequest(res, 'partyId, when given, is a string');
        const deliveries = await controls.requestE0501(body.period, body.partyId === undefined ? {} : { partyId: body.partyId });
        return sendJson(res, 201, { deliveries });
      }
      case 'GET /_sim/rules':
        return sendJson(res, 200, controls.rules());
      case 'PUT /_sim/rules':
        return sendJson(res, 200, controls.setRules((await jsonBody(req)) as Record<string, never>));
      default:
        return sendJson(res, 404, { error: { code: 'not-found', message: `no admin endpoint ${route}` } });
    }
  } catch (error) {
    if (error instanceof TurnkeyError) {
      const status = error.code === 'sim-no-allocation' ? 404 : 400;
      return sendJson(res, status, { error: { code: error.code, message: error.message } });
    }
    if (error instanceof SyntaxError) return badRequest(res, 'the body is not JSON');
    throw error;
  }
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req, ADMIN_BODY_LIMIT);
  const data: unknown = JSON.parse(raw.length === 0 ? '{}' : raw.toString('utf8'));
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new SyntaxError('not an object');
  return data as Record<string, unknown>;
}

function badRequest(res: ServerResponse, message: string): void {
  sendJson(res, 400, { error: { code: 'bad-request', message } });
}

interface Refusal {
  status: 401 | 403 | 415;
  code: string;
  message: string;
}

/** Host names a request to this machine's loopback gateway can carry (anything else is DNS rebinding). */
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/**
 * What keeps another local user, or a web page in a local browser, from changing the verdicts the
 * daemon records: loopback peers only; a Host header naming loopback (a page on another origin
 * cannot rebind a name to 127.0.0.1 and pass); no cross-site browser request (Origin or
 * Sec-Fetch-Site); the token, compared in constant time; and JSON bodies only (a page can send
 * text/plain without asking, but not application/json).
 */
function refuseAdmin(req: IncomingMessage, adminToken: string): Refusal | null {
  if (!LOOPBACK.has(req.socket.remoteAddress ?? ''))
    return { status: 403, code: 'forbidden', message: 'admin endpoints answer loopback only' };
  if (!LOOPBACK_HOST.test(req.headers.host ?? ''))
    return { status: 403, code: 'forbidden-host', message: 'admin endpoints answer requests addressed to 127.0.0.1 only' };
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (
    (origin !== undefined && origin !== `http://${req.headers.host}`) ||
    (site !== undefined && site !== 'same-origin' && site !== 'none')
  )
    return { status: 403, code: 'cross-origin', message: 'admin endpoints refuse requests from web pages of other origins' };
  const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (given === undefined || !secretEquals(given, adminToken))
    return {
      status: 401,
      code: 'admin-token',
      message: "admin endpoints need 'Authorization: Bearer <token>', the token in the simulator's admin.token file",
    };
  const hasBody = req.method === 'PUT' || req.method === 'POST';
  if (hasBody && !/^application\/json(;|$)/i.test(req.headers['content-type'] ?? ''))
    return { status: 415, code: 'content-type', message: 'admin requests with a body send Content-Type: application/json' };
  return null;
}
