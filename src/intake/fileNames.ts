/**
 * File-name rules of intake. Pure functions.
 */
import { portableName } from '../fs/portableName.js';
import { timeOrderedHexId } from '../time/timeOrderedIds.js';

/**
 * Files the intake never takes: `*.tmp` and `*.part` (the ERP's write-then-rename convention),
 * hidden files (`.name`) and Office/editor lock files (`~$name`).
 */
export function isIgnoredName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('.tmp') || lower.endsWith('.part') || name.startsWith('.') || name.startsWith('~$');
}

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

/** `name.xml`, n=2 → `name~2.xml`: how a file is renamed so that it never overwrites one in BAK/ERR. */
export function withSuffix(name: string, n: number): string {
  if (n === 0) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}~${n}${name.slice(dot)}` : `${name}~${n}`;
}

/** The two report files beside a file in ERR. */
export function reportNames(fileName: string): { json: string; text: string } {
  return { json: `${fileName}.err.json`, text: `${fileName}.err.txt` };
}
