import { EventEmitter } from 'node:events';
import type { FaultName } from './faults/faultNames.js';

/** What the simulator announces while it runs (for tests, benchmarks and the CLI). */
export interface SimEventMap {
  /** A file was published in an account's `in/`. */
  upload: [{ account: string; name: string; size: number }];
  /** A notification was answered (or, for a held answer, decided). */
  notification: [{ account: string | null; filename: string | null; httpStatus: number; statusCode: number; code: string }];
  /** A pack's decisions were recorded. */
  processed: [{ account: string; filename: string; packCode: string | null; good: number; failed: number }];
  /** Result files were written into `out/` (`copy` 2: the second copy of `resultWrittenTwice`). */
  results: [{ account: string; filename: string; names: string[]; copy: 1 | 2 }];
  /** An E0501 allocation file was written into `out/`. */
  e0501: [{ account: string; partyId: string; period: string; fileName: string }];
  /** A fault fired. */
  fault: [{ fault: FaultName; detail: string | null }];
}

export class SimEvents extends EventEmitter<SimEventMap> {}
