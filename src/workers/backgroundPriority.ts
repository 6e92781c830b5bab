import { constants, setPriority } from 'node:os';

/**
 * Moves the calling thread to the lowest scheduling priority, so that its work only takes CPU time
 * nothing else wants. Linux keeps a nice value per thread, so there this lowers one worker thread
 * and leaves the rest of the process as it was. On other systems the same call would lower the
 * whole process (its I/O threads included), so there it does nothing. False when not applied.
 */
export function lowerThisThreadPriority(platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux') return false;
  try {
    // pid 0: the calling thread (Linux applies setpriority(PRIO_PROCESS, 0) to the thread itself).
    setPriority(0, constants.priority.PRIORITY_LOW);
    return true;
  } catch {
    return false; // not allowed here (a container's limits): the work runs at normal priority
  }
}
