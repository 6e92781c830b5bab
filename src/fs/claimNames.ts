/**
 * The names intake gives the files it claims into WORK. In `fs` because intake is not the only one
 * to look: a writer into SRC (the E0402 reports) checks WORK for a file intake has in hand.
 */
import { portableName } from './portableName.js';
import { timeOrderedHexId } from '../time/timeOrderedIds.js';

const CLAIM_SEPARATOR = '~';

/**
 * The name a file gets in WORK: a claim id, `~`, the original name (made portable when it is not:
 * see fs/portableName, so that no name is too long or too odd to be claimed). The id makes every
 * claim unique (the ERP may drop the same name again while the first is in hand) and is the key of
 * the intake journal row; the name is recoverable after a crash (the portable form, when the
 * original was not). The id is the time in milliseconds (12 hex digits) and 32 random bits (8
 * more), so that journal rows keyed by it are appended to their index rather than scattered over it.
 */
export function claimNameFor(originalName: string, at: number = Date.now()): string {
  return `${timeOrderedHexId(at)}${CLAIM_SEPARATOR}${portableName(originalName)}`;
}

/** The original name inside a claim name; null when it is not one (ids of 12 hex digits are those of earlier versions). */
export function originalNameOf(claimName: string): string | null {
  const at = claimName.indexOf(CLAIM_SEPARATOR);
  if ((at !== 20 && at !== 12) || !/^[0-9a-f]+$/.test(claimName.slice(0, at))) return null;
  return claimName.slice(at + 1);
}

/** The entries of a WORK folder that are claims of a file of this original name. */
export function claimsOf(workEntries: readonly string[], originalName: string): string[] {
  const name = portableName(originalName);
  return workEntries.filter((entry) => originalNameOf(entry) === name);
}
