import { simAdminHeaders } from '../../helpers/simAdmin.js';
import { request } from 'undici';
import type { RunningSimulator } from '../../../src/sim/index.js';
import type { BuiltPack } from './packs.js';

export interface TestAccount {
  transportId: string;
  password: string;
  partyId: string;
  routingId: string;
}

/** The PFS001 body for a pack, as the daemon sends it (keys in the documented order). */
export function notificationFor(pack: BuiltPack, account: TestAccount, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    loginId: account.transportId,
    loginPassword: account.password,
    transFrom: { partyInfo: { partyId: pack.routing.from.id }, routingInfo: { routingId: pack.routing.fromVac.id } },
    transTo: { partyInfo: { partyId: pack.routing.to.id }, routingInfo: { routingId: pack.routing.toVac.id } },
    serviceType: 'S',
    messageType: pack.messageType,
    action: 'C0401',
    quantity: pack.quantity,
    migVersion: '4.1',
    filename: pack.commonName,
    size: pack.armored.length,
    zip: pack.zip ? '1' : '0',
    retry: 0,
    apiVersion: '3.1.3',
    turnkeyVersion: '3.2.1',
    ...overrides,
  };
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export interface GatewayReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: { statusCode: number; statusDetail: Array<{ code: string; description: string | null; parameter: string[] }> } & Record<
    string,
    unknown
  >;
}

/** POSTs a notification with undici; `body` may be an object (sent as JSON) or raw text. */
export async function notify(
  sim: RunningSimulator,
  body: Record<string, unknown> | string,
  options: { authorization?: string | null; contentType?: string; timeoutMs?: number } = {},
): Promise<GatewayReply> {
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  const user = typeof body === 'object' ? String(body.loginId) : '';
  const password = typeof body === 'object' ? String(body.loginPassword) : '';
  if (options.authorization !== null) headers.authorization = options.authorization ?? basicAuth(user, password);
  const response = await request(`${sim.gateway.url}/pfs001i/uploadInvoiceMessage`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(options.timeoutMs !== undefined && { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs }),
  });
  const text = await response.body.text();
  let json: GatewayReply['json'];
  try {
    json = JSON.parse(text) as GatewayReply['json'];
  } catch {
    json = { statusCode: Number.NaN, statusDetail: [] };
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** GET on the gateway's origin (announcements, stats, admin). */
export async function getJson<T = unknown>(
  sim: RunningSimulator,
  path: string,
): Promise<{ status: number; body: T; headers: Record<string, string | string[] | undefined> }> {
  const response = await request(`${sim.gateway.origin}${path}`, {
    ...(path.startsWith('/_sim/') && { headers: simAdminHeaders(sim.adminTokenFile) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text) as T, headers: response.headers };
}

export async function sendJson<T = unknown>(
  sim: RunningSimulator,
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await request(`${sim.gateway.origin}${path}`, {
    method,
    headers: path.startsWith('/_sim/') ? simAdminHeaders(sim.adminTokenFile) : { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.statusCode, body: JSON.parse(await response.body.text()) as T };
}
