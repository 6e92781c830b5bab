import { describe, expect, it } from 'vitest';
import { lowerPriority, type PriorityHost } from '../../src/daemon/lowerPriority.js';

function systemError(code: string): Error {
  return Object.assign(new Error(`A system error occurred: uv_os_setpriority returned ${code}`), {
    code: 'ERR_SYSTEM_ERROR',
    info: { code },
  });
}

/** A process whose threads have the given nice values; records what was set. */
function host(platform: NodeJS.Platform, nice: Map<number, number>, threadIds: number[] | null, failing = new Map<number, string>()) {
  const set: Array<[number, number]> = [];
  let listed = 0;
  const fake: PriorityHost = {
    platform,
    threadIds: () => {
      listed += 1;
      return threadIds;
    },
    get: (id) => nice.get(id) ?? 0,
    set: (id, priority) => {
      const code = failing.get(id);
      if (code) throw systemError(code);
      set.push([id, priority]);
      nice.set(id, priority);
    },
  };
  return { fake, set, listed: () => listed };
}

describe('lowerPriority', () => {
  it('on Linux lowers every thread running now to nice 10, and keeps a thread already lower', () => {
    const nice = new Map([
      [100, 0],
      [101, 0],
      [102, 15],
      [103, 5],
    ]);
    const { fake, set } = host('linux', nice, [100, 101, 102, 103]);
    expect(lowerPriority('below-normal', fake)).toEqual({ priority: 10, lowered: 3, error: null });
    expect(set).toEqual([
      [100, 10],
      [101, 10],
      [103, 10],
    ]);
    expect(nice.get(102)).toBe(15);
  });

  it('never raises a priority: normal leaves a daemon started at nice 5 as it is', () => {
    const { fake, set } = host('linux', new Map([[100, 5]]), [100]);
    expect(lowerPriority('normal', fake)).toEqual({ priority: 0, lowered: 0, error: null });
    expect(set).toEqual([]);
  });

  it('low is nice 19', () => {
    const { fake, set } = host('linux', new Map(), [7]);
    expect(lowerPriority('low', fake).priority).toBe(19);
    expect(set).toEqual([[7, 19]]);
  });

  it('skips a thread that ended meanwhile, reports any other failure, and still lowers the rest', () => {
    const failing = new Map([
      [101, 'ESRCH'],
      [102, 'EACCES'],
    ]);
    const { fake, set } = host('linux', new Map(), [100, 101, 102, 103], failing);
    const outcome = lowerPriority('below-normal', fake);
    expect(outcome.lowered).toBe(2);
    expect((outcome.error as { info?: { code?: string } }).info?.code).toBe('EACCES');
    expect(set.map(([id]) => id)).toEqual([100, 103]);
  });

  it('on Windows sets the process priority class once (one per process there), without a thread list', () => {
    const { fake, set, listed } = host('win32', new Map(), [1, 2, 3]);
    expect(lowerPriority('below-normal', fake)).toEqual({ priority: 10, lowered: 1, error: null });
    expect(set).toEqual([[0, 10]]);
    expect(listed()).toBe(0);
  });

  it('on Linux without /proc lowers the process as a whole', () => {
    const { fake, set } = host('linux', new Map(), null);
    expect(lowerPriority('below-normal', fake).lowered).toBe(1);
    expect(set).toEqual([[0, 10]]);
  });
});
