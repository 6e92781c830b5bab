import { TurnkeyError } from '../errors/index.js';

/** `TURNKEY_FAILPOINTS` names a point that does not exist (a typo would silently test nothing). */
export class FailpointSpecError extends TurnkeyError {
  constructor(message: string, known: readonly string[]) {
    super('failpoint-spec', message, { hint: `Known failpoints: ${known.join(', ')}.` });
  }
}
