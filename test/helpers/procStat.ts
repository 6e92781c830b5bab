import { readFileSync } from 'node:fs';

/**
 * The fields of a Linux `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`) after the command
 * name, from field 3 (state) on: the name is in parentheses and may hold spaces and parentheses, so
 * the fields start after the last `)`. Null when the process or thread is gone.
 */
export function procStatFields(path: string): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The 1-based field number of proc(5) as an index into procStatFields' array. */
export const PROC_FIELD = { ppid: 4 - 3, nice: 19 - 3 } as const;
