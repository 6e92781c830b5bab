import { TurnkeyError } from '../../errors/TurnkeyError.js';

/**
 * Signing refused before anything was signed:
 * - `sign-key`: the key is neither RSA nor EC, or does not belong to the certificate;
 * - `sign-content`: nothing to sign.
 */
export type SigningErrorCode = 'sign-key' | 'sign-content';

export class SigningError extends TurnkeyError {
  declare readonly code: SigningErrorCode;

  constructor(code: SigningErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}
