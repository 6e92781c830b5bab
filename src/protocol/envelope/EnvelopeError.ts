import { TurnkeyError } from '../../errors/TurnkeyError.js';

/**
 * Why an envelope could not be written or read:
 * - `envelope-count`: not 1..1000 messages, or the `count` attribute disagrees with the messages;
 * - `envelope-value`: a routing value or attribute that cannot be written (empty, line break, control character);
 * - `envelope-message`: a message that cannot be spliced in (not UTF-8, no element, DTD, stray declaration);
 * - `envelope-parse`: bytes that are not an InvoiceEnvelope.
 */
export type EnvelopeErrorCode = 'envelope-count' | 'envelope-value' | 'envelope-message' | 'envelope-parse';

export class EnvelopeError extends TurnkeyError {
  declare readonly code: EnvelopeErrorCode;

  constructor(code: EnvelopeErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}
