/**
 * Conditions only an operator can clear. While one lasts, what it concerns is not sent at all
 * (no attempt, no budget spent, no message failed one by one), and `turnkey status` says what to do.
 */
export const HOLD = {
  /** The platform refused the transport account's login (and announces no window). */
  loginRefused: 'login-refused',
  /** The platform's SSH host key is not the one in the known-hosts file. */
  hostKeyChanged: 'host-key-changed',
  /** The gateway's TLS certificate is not trusted (self-signed, expired, another host's): no password is sent to it. */
  gatewayUntrusted: 'gateway-untrusted',
  /** The platform could not verify the sender's signature (E0004): its certificate is not registered there. */
  certificateNotRegistered: 'certificate-not-registered',
  /** The sender's certificate has expired: what it signs would be refused. */
  certificateExpired: 'certificate-expired',
} as const;

export type HoldCode = (typeof HOLD)[keyof typeof HOLD];
