/**
 * The codes the simulator writes in results. `0000`, `E0001`, `E0004`, `E0201` and `E1003` are the
 * platform's own (DOMAIN.md). The platform publishes no code for the other refusals, so the
 * simulator uses its own `E9xxx` codes, stable, and says why in the Description and parameters.
 */
export const RESULT_CODE = {
  /** Accepted. */
  success: '0000',
  /** The signature does not verify, or the signer's certificate is not registered: the whole pack. */
  signature: 'E0004',
  /** The very same message was accepted before. */
  duplicateMessage: 'E0201',
  /** An invoice number already issued, with different content. */
  issuedTwice: 'E1003',
  /** The platform failed (here: the simulator hit an unexpected error opening the pack): the whole pack. */
  systemError: 'E0001',
  /** (simulator) The signed content is not a readable InvoiceEnvelope: the whole pack. */
  envelope: 'E9001',
  /** (simulator) The envelope's From/FromVAC are not the account's, or differ from the notification: the whole pack. */
  routing: 'E9002',
  /** (simulator) The envelope's message type or count differ from the notification and the file name: the whole pack. */
  packMismatch: 'E9003',
  /** (simulator) The message fails the schema or a business rule; Parameter3 is the validator's finding code. */
  invalidMessage: 'E9101',
  /** (simulator) The message is refused by one of the simulator's extra rules; Parameter3 names the rule. */
  extraRule: 'E9102',
} as const;

export type ResultCode = (typeof RESULT_CODE)[keyof typeof RESULT_CODE];
