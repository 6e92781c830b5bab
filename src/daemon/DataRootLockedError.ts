import { TurnkeyError } from '../errors/index.js';

/** Another daemon holds the data root (code `data-root-locked`). */
export class DataRootLockedError extends TurnkeyError {
  constructor(message: string, hint: string) {
    super('data-root-locked', message, { hint });
  }
}
