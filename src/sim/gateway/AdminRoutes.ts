import type { IncomingMessage, ServerResponse } from 'node:http';
import { TurnkeyError } from '../../errors/TurnkeyError.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { readBody, sendJson } from './httpIo.js';
import type { SimControls } from './SimControls.js';

const ADMIN_BODY_LIMIT = 64 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `/_sim/...`: the operator's and the tests' handles on a running simulator, from loopback only.
 * - `GET /_sim/faults` → `{settings, fired}`; `PUT /_sim/faults` with a settings patch → the new settings
 * - `GET /_sim/maintenance` → the announced windows; `POST /_sim/maintenance` `{start, end, description?}`
 *   → the added window; `DELETE /_sim/maintenance` → removes the windows added at run time
 * - `POST /_sim/e0501` `{period, partyId?}` → the E0501 files written
 * - `GET /_sim/rules`; `PUT /_sim/rules` with a patch of the extra rules → the new rules
 */
export async function handleAdmin(req: IncomingMessage, res: ServerResponse, path: string, controls: SimControls): Promise<void> {
  if (!LOOPBACK.has(req.socket.remoteAddress ?? ''))
    return sendJson(res, 403, { error: { code: 'forbidden', message: 'admin endpoints answer loopback only' } });
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
