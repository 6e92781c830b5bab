import type { OpenedPack, OpenPackInput } from './openPack.js';

/** Opens packs (the CPU-heavy part of processing), in this thread or in workers. */
export interface PackOpener {
  open(input: OpenPackInput): Promise<OpenedPack>;
  close(): Promise<void>;
}

/** The validator settings a pack opener builds its validator with. */
export interface OpenerValidationOptions {
  b2cTaxIncluded: 'accept' | 'warn' | 'reject';
  clockSkewSeconds: number;
}
