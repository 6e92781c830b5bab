import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';
import { PROC_STAT, readProcStat } from '../fs/procStat.js';

/** The CPU priorities the daemon may run at (`daemon.priority`). */
export const PRIORITIES = {
  normal: constants.priority.PRIORITY_NORMAL,
  'below-normal': constants.priority.PRIORITY_BELOW_NORMAL,
  low: constants.priority.PRIORITY_LOW,
} as const;

export type PriorityName = keyof typeof PRIORITIES;

/** What lowering touches (injectable for tests). */
export interface PriorityHost {
  platform: NodeJS.Platform;
  /** The ids of the process's threads (Linux: /proc/self/task), or null where there is no such list. */
  threadIds(): number[] | null;
  get(id: number): number;
  set(id: number, priority: number): void;
  /**
   * Linux's autogroup of this process, when it leads its own session (a systemd service, `setsid`):
   * the scheduler shares the CPU between sessions by their autogroup's nice before it looks at a
   * thread's. Null otherwise, or without autogroups: then the session is someone else's (a terminal
   * the daemon was started from) and stays as it is.
   */
  ownAutogroup(): { nice: number; set(nice: number): void } | null;
}

export const processPriorityHost: PriorityHost = {
  platform: process.platform,
  threadIds: () => {
    try {
      return readdirSync('/proc/self/task').map(Number);
    } catch {
      return null;
    }
  },
  get: getPriority,
  set: setPriority,
  ownAutogroup: () => {
    try {
      if (readProcStat('/proc/self/stat')?.(PROC_STAT.session) !== process.pid) return null;
      const nice = /nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1];
      if (nice === undefined) return null;
      return { nice: Number(nice), set: (n) => writeFileSync('/proc/self/autogroup', String(n)) };
    } catch {
      return null; // no /proc, or a kernel without autogroups
    }
  },
};

export interface PriorityOutcome {
  /** The nice value asked for (Windows: the priority class it maps to). */
  priority: number;
  /** Threads (or the process, where it has one priority) lowered to it; those already as low or lower stay. */
  lowered: number;
  /** Whether the daemon's own session (its autogroup) was lowered too. */
  autogroup: boolean;
  /** The first failure, if any (the daemon runs on at the priority it has). */
  error: Error | null;
}

/**
 * Lowers the daemon to `name` so the ERP and interactive commands (`turnkey status`) go first when
 * the server's cores are busy; idle cores are used fully whatever the priority. `normal` leaves the
 * priority the daemon was started with; a priority already lower (systemd `Nice=`, `start
 * /belownormal`) is kept: the daemon never raises its own.
 * - Linux keeps a priority per thread, so every thread running now is lowered; threads started
 *   later inherit it from the thread that starts them (start-up has started none of its own yet).
 *   A daemon that leads its own session also lowers the session's autogroup, or its nice would
 *   only rank its threads against each other.
 * - Windows and macOS keep one priority per process (the id 0 below).
 */
export function lowerPriority(name: PriorityName, host: PriorityHost = processPriorityHost): PriorityOutcome {
  const priority = PRIORITIES[name];
  const outcome: PriorityOutcome = { priority, lowered: 0, autogroup: false, error: null };
  if (name === 'normal') return outcome;
  const attempt = (lower: () => void): void => {
    try {
      lower();
    } catch (err) {
      // A thread that ended meanwhile (ESRCH) is no failure.
      if ((err as { info?: { code?: string } }).info?.code !== 'ESRCH') outcome.error ??= err as Error;
    }
  };
  // Without a thread list (no /proc), Linux lowers only the calling thread: better than nothing.
  const ids = host.platform === 'linux' ? (host.threadIds() ?? [0]) : [0];
  for (const id of ids) {
    attempt(() => {
      // A higher number is a lower priority, on every platform Node maps.
      if (host.get(id) >= priority) return;
      host.set(id, priority);
      outcome.lowered += 1;
    });
  }
  if (host.platform === 'linux') {
    attempt(() => {
      const group = host.ownAutogroup();
      if (!group || group.nice >= priority) return;
      group.set(priority);
      outcome.autogroup = true;
    });
  }
  return outcome;
}

/**
 * Moves the calling thread to the lowest priority, so that its work only takes CPU time nothing
 * else wants (the simulator's pack workers). Only on Linux, where a nice value belongs to one
 * thread: elsewhere the same call would lower the whole process, its I/O threads included. False
 * when not applied (not Linux, or not allowed here: the work then runs at the priority it has).
 */
export function lowerThisThreadPriority(platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux') return false;
  // Thread id 0: the calling thread (Linux applies setpriority(PRIO_PROCESS, 0) to the thread itself).
  return lowerPriority('low', { ...processPriorityHost, platform, threadIds: () => [0], ownAutogroup: () => null }).error === null;
}
