import { TurnkeyError } from '../../errors/TurnkeyError.js';

/**
 * A software certificate (.pfx) that cannot be used:
 * - `pfx-password`: the password does not open it (the message never includes the password);
 * - `pfx-content`: not a PKCS#12 file, or no private key with its certificate inside.
 */
export type PfxErrorCode = 'pfx-password' | 'pfx-content';

export class PfxError extends TurnkeyError {
  declare readonly code: PfxErrorCode;

  constructor(code: PfxErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}
