import { TurnkeyError } from '../errors/TurnkeyError.js';

/**
 * Why the sending side cannot go on with something (not a transport failure: those are
 * TransportErrors):
 * - `sender-unknown`: no configured sender covers a queued message's seller, or a pack's party
 *   (the configuration changed since the message was taken in or the pack was made).
 */
export type OutboundErrorCode = 'sender-unknown';

export class OutboundError extends TurnkeyError {
  declare readonly code: OutboundErrorCode;

  constructor(code: OutboundErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}
