import { MAX_SIGNED_FILE_BYTES } from '../../protocol/armor.js';
import { MAX_MESSAGES_PER_ENVELOPE } from '../../protocol/envelope/index.js';
import { PFS001_KEYS, type Pfs001Body, type TransParty } from '../../protocol/pfs001Body.js';
import { GatewayRefusal } from './GatewayAnswer.js';

const INT32_MAX = 2 ** 31 - 1;

/**
 * Checks the body against the PFS001 table: every key present and none other, each of its type
 * (strings non-empty, int32 integers in range, `zip` "0"/"1", `serviceType` "S"/"E"), and the
 * routing objects of the documented shape. Refusals name the key at fault in `parameter`.
 */
export function checkNotificationBody(data: unknown): Pfs001Body | GatewayRefusal {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return new GatewayRefusal('body-invalid', 'the body must be a JSON object');
  }
  const body = data as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!(PFS001_KEYS as readonly string[]).includes(key)) return new GatewayRefusal('body-invalid', `unknown key "${key}"`, [key]);
  }
  for (const key of PFS001_KEYS) {
    if (!(key in body)) return new GatewayRefusal('body-invalid', `the key "${key}" is missing`, [key]);
  }
  const field = (key: string, description: string) => new GatewayRefusal('field-invalid', `${key} ${description}`, [key]);

  for (const key of [
    'loginId',
    'loginPassword',
    'messageType',
    'action',
    'migVersion',
    'filename',
    'apiVersion',
    'turnkeyVersion',
  ] as const) {
    if (typeof body[key] !== 'string' || body[key] === '') return field(key, 'must be a non-empty string');
  }
  if (!/^[A-Z][0-9]{4}$/.test(body.messageType as string)) return field('messageType', 'must be a message type like F0401');
  if (body.serviceType !== 'S' && body.serviceType !== 'E') return field('serviceType', 'must be "S" (store) or "E" (exchange)');
  if (body.zip !== '0' && body.zip !== '1') return field('zip', 'must be the string "0" or "1"');

  const quantity = int32(body.quantity);
  if (quantity === null || quantity < 1 || quantity > MAX_MESSAGES_PER_ENVELOPE) {
    return field('quantity', `must be an integer from 1 to ${MAX_MESSAGES_PER_ENVELOPE}`);
  }
  const size = int32(body.size);
  if (size === null || size < 1 || size > MAX_SIGNED_FILE_BYTES)
    return field('size', `must be an integer from 1 to ${MAX_SIGNED_FILE_BYTES}`);
  const retry = int32(body.retry);
  if (retry === null || retry < 0) return field('retry', 'must be an integer >= 0');

  const transFrom = transParty(body.transFrom, 'transFrom');
  if (transFrom instanceof GatewayRefusal) return transFrom;
  const transTo = transParty(body.transTo, 'transTo');
  if (transTo instanceof GatewayRefusal) return transTo;

  return {
    loginId: body.loginId as string,
    loginPassword: body.loginPassword as string,
    transFrom,
    transTo,
    serviceType: body.serviceType,
    messageType: body.messageType as string,
    action: body.action as string,
    quantity,
    migVersion: body.migVersion as string,
    filename: body.filename as string,
    size,
    zip: body.zip,
    retry,
    apiVersion: body.apiVersion as string,
    turnkeyVersion: body.turnkeyVersion as string,
  };
}

function int32(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= -(INT32_MAX + 1) && value <= INT32_MAX ? value : null;
}

/** `{"partyInfo":{"partyId":..,"description"?:..},"routingInfo":{"routingId":..,"description"?:..}}`. */
function transParty(value: unknown, key: string): TransParty | GatewayRefusal {
  const refuse = (what: string) => new GatewayRefusal('field-invalid', `${key} ${what}`, [key]);
  if (!isObject(value)) return refuse('must be an object with partyInfo and routingInfo');
  const extra = Object.keys(value).find((k) => k !== 'partyInfo' && k !== 'routingInfo');
  if (extra !== undefined) return refuse(`has an unknown key "${extra}"`);
  const party = part(value.partyInfo, 'partyId');
  if (typeof party === 'string') return refuse(`.partyInfo ${party}`);
  const routing = part(value.routingInfo, 'routingId');
  if (typeof routing === 'string') return refuse(`.routingInfo ${routing}`);
  return {
    partyInfo: { partyId: party.id, ...(party.description !== undefined && { description: party.description }) },
    routingInfo: { routingId: routing.id, ...(routing.description !== undefined && { description: routing.description }) },
  };
}

function part(value: unknown, idKey: string): { id: string; description?: string } | string {
  if (!isObject(value)) return 'must be an object';
  const extra = Object.keys(value).find((k) => k !== idKey && k !== 'description');
  if (extra !== undefined) return `has an unknown key "${extra}"`;
  const id = value[idKey];
  if (typeof id !== 'string' || id === '') return `.${idKey} must be a non-empty string`;
  const description = value.description;
  // Absent descriptions are omitted, never sent as null or "".
  if (description !== undefined && (typeof description !== 'string' || description === ''))
    return '.description, when present, must be a non-empty string';
  return description === undefined ? { id } : { id, description };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
