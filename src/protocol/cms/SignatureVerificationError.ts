import { TurnkeyError } from '../../errors/TurnkeyError.js';

/**
 * The platform's `E0004` ("signature verification failed"). `reason` says what was wrong, for
 * the result file and the operator; the code is all a caller should decide on.
 */
export class SignatureVerificationError extends TurnkeyError {
  declare readonly code: 'E0004';
  readonly reason: string;

  constructor(reason: string, options: { cause?: unknown; hint?: string } = {}) {
    super('E0004', `signature verification failed: ${reason}`, options);
    this.reason = reason;
  }
}
