/**
 * The PFS001 notification body as it goes over the wire (PLATFORM-PROTOCOL.md): the client writes
 * it, the simulator's gateway checks it against this same shape.
 */

/** One side of the transfer: `{"partyInfo":{…},"routingInfo":{…}}`; absent descriptions are omitted. */
export interface TransParty {
  partyInfo: { partyId: string; description?: string };
  routingInfo: { routingId: string; description?: string };
}

export interface Pfs001Body {
  loginId: string;
  loginPassword: string;
  transFrom: TransParty;
  transTo: TransParty;
  serviceType: 'S' | 'E';
  messageType: string;
  action: string;
  quantity: number;
  migVersion: string;
  filename: string;
  size: number;
  zip: '0' | '1';
  retry: number;
  apiVersion: string;
  turnkeyVersion: string;
}

/** Every key, in the order the platform's own client sends them. */
export const PFS001_KEYS = [
  'loginId',
  'loginPassword',
  'transFrom',
  'transTo',
  'serviceType',
  'messageType',
  'action',
  'quantity',
  'migVersion',
  'filename',
  'size',
  'zip',
  'retry',
  'apiVersion',
  'turnkeyVersion',
] as const satisfies ReadonlyArray<keyof Pfs001Body>;
