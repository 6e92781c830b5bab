import { TurnkeyError } from '../errors/index.js';

/**
 * Every failure talking to the platform. `code` says what happened; `retryable` whether trying
 * again later can help (decisions are made on these, never on the message text); `outcomeUnknown`
 * whether the platform may have acted on the request although we got no answer.
 */
export type TransportErrorCode =
  | 'sftp-connect'
  | 'sftp-auth'
  | 'sftp-host-key'
  | 'sftp-transfer'
  | 'sftp-remote-missing'
  | 'gateway-connect'
  | 'gateway-timeout'
  | 'gateway-reset'
  | 'gateway-tls'
  | 'gateway-http'
  | 'gateway-maintenance'
  | 'gateway-response';

const RETRYABLE: Record<TransportErrorCode, boolean> = {
  'sftp-connect': true,
  // Wrong credentials or a changed host key need the operator; retrying later (after they fix the
  // configuration) is still right, so these are retryable but also reported.
  'sftp-auth': true,
  'sftp-host-key': true,
  'sftp-transfer': true,
  'sftp-remote-missing': false,
  'gateway-connect': true,
  'gateway-timeout': true,
  'gateway-reset': true,
  // An untrusted certificate needs the operator (or the platform) to act; trying later is still right.
  'gateway-tls': true,
  'gateway-http': true,
  'gateway-maintenance': true,
  'gateway-response': true,
};

export class TransportError extends TurnkeyError {
  declare readonly code: TransportErrorCode;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;
  readonly httpStatus: number | null;
  /** What the platform answered with an HTTP error (at most 16 KiB): a maintenance notice is read from it. */
  readonly body: string | null;

  constructor(
    code: TransportErrorCode,
    message: string,
    options: { cause?: unknown; hint?: string; outcomeUnknown?: boolean; httpStatus?: number; body?: string } = {},
  ) {
    super(code, message, options);
    this.retryable = RETRYABLE[code];
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.httpStatus = options.httpStatus ?? null;
    this.body = options.body?.slice(0, 16_384) ?? null;
  }
}
