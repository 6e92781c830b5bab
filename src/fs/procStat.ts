import { readFileSync } from 'node:fs';

/** Fields of Linux's `/proc/<pid>/stat` that turnkey reads, by their number in proc(5) (counted from 1). */
export const PROC_STAT = { ppid: 4, session: 6, utime: 14, stime: 15, nice: 19 } as const;

/** Clock ticks per second of `utime` and `stime` (USER_HZ: 100 on every Linux node runs on). */
const TICKS_PER_SECOND = 100;

/**
 * A numeric field of a `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`) by its proc(5)
 * number; null when the process or thread is gone or there is no /proc.
 */
export function readProcStat(path: string): ((field: number) => number) | null {
  const fields = fieldsFromState(path);
  return fields === null ? null : (field) => Number(fields[field - 3]);
}

/** The state letter of a process or thread (field 3: R running, S sleeping, T stopped, …); null when it is gone. */
export function procState(path: string): string | null {
  return fieldsFromState(path)?.[0] ?? null;
}

/**
 * The fields from the state (field 3) on. The command name (field 2) is in parentheses and may
 * itself hold spaces and parentheses, so fields are counted from the last `)`.
 */
function fieldsFromState(path: string): string[] | null {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU time (user + system) a process or thread has used, in seconds; null when it is gone. */
export function procCpuSeconds(path: string): number | null {
  const stat = readProcStat(path);
  return stat === null ? null : (stat(PROC_STAT.utime) + stat(PROC_STAT.stime)) / TICKS_PER_SECOND;
}
