import { readdirSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';

/** The CPU priorities the daemon may run at (`daemon.priority`). */
export const PRIORITIES = {
  normal: constants.priority.PRIORITY_NORMAL,
  'below-normal': constants.priority.PRIORITY_BELOW_NORMAL,
  low: constants.priority.PRIORITY_LOW,
} as const;

export type PriorityName = keyof typeof PRIORITIES;

/** What lowering touches: the process's threads and their priorities (injectable for tests). */
export interface PriorityHost {
  platform: NodeJS.Platform;
  /** The ids of the process's threads (Linux: /proc/self/task), or null where there is no such list. */
  threadIds(): number[] | null;
  get(id: number): number;
  set(id: number, priority: number): void;
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
};

export interface PriorityOutcome {
  /** The nice value asked for (Windows: the priority class it maps to). */
  priority: number;
  /** Threads (or, without a thread list, the process) lowered to it; those already as low or lower stay. */
  lowered: number;
  /** The first failure, if any (the daemon runs on at the priority it has). */
  error: Error | null;
}

/**
 * Lowers the daemon to `name` so the ERP and interactive commands (`turnkey status`) go first when
 * the server's cores are busy; idle cores are used fully whatever the priority.
 * Linux keeps a priority per thread, so every thread running now is lowered (threads started later
 * inherit it from the thread that starts them). Windows and macOS keep one per process. A priority
 * already lower (systemd `Nice=`, `start /belownormal`) is kept: the daemon never raises its own.
 */
export function lowerPriority(name: PriorityName, host: PriorityHost = processPriorityHost): PriorityOutcome {
  const priority = PRIORITIES[name];
  const ids = host.platform === 'linux' ? host.threadIds() : null;
  let lowered = 0;
  let error: Error | null = null;
  for (const id of ids ?? [0]) {
    try {
      // A higher number is a lower priority, on every platform Node maps.
      if (host.get(id) >= priority) continue;
      host.set(id, priority);
      lowered += 1;
    } catch (err) {
      // A thread that ended meanwhile (ESRCH) is no failure.
      if ((err as { info?: { code?: string } }).info?.code === 'ESRCH') continue;
      error ??= err as Error;
    }
  }
  return { priority, lowered, error };
}
