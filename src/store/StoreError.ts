import { TurnkeyError } from '../errors/index.js';

export type StoreErrorCode =
  /** The database file cannot be opened or set up (permissions, WAL refused, corrupt). */
  | 'store-open'
  /** No database where one was expected (status before any start/init). */
  | 'store-not-found'
  /** The database was written by a newer turnkey. */
  | 'store-too-new'
  /** A state change found the message in another state than the one it expected. */
  | 'transition-conflict'
  /** A pack was no longer in the state an attempt started from: something else (its result) moved it on meanwhile. */
  | 'pack-moved-on'
  /** A state change that the state machine does not allow. */
  | 'illegal-transition'
  /** Stored bytes do not match their recorded SHA-256. */
  | 'bytes-mismatch';

export class StoreError extends TurnkeyError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}
