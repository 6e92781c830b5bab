/**
 * File-name rules of intake. Pure functions.
 */

/**
 * Files the intake never takes: `*.tmp` and `*.part` (the ERP's write-then-rename convention),
 * hidden files (`.name`) and Office/editor lock files (`~$name`).
 */
export function isIgnoredName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('.tmp') || lower.endsWith('.part') || name.startsWith('.') || name.startsWith('~$');
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
