import { getPriority } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerPriority, lowerThisThreadPriority, type PriorityHost } from '../../src/workers/priority.js';

function systemError(code: string): Error {
  return Object.assign(new Error(`A system error occurred: uv_os_setpriority returned ${code}`), {
    code: 'ERR_SYSTEM_ERROR',
    info: { code },
  });
}

/** A process whose threads have the given nice values; records what was set. */
function host(
  platform: NodeJS.Platform,
  nice: Map<number, number>,
  threadIds: number[] | null,
  failing = new Map<number, string>(),
  autogroup: { nice: number } | null = null,
) {
  const set: Array<[number, number]> = [];
  let listed = 0;
  const fake: PriorityHost = {
    ownAutogroup: () => autogroup && { nice: autogroup.nice, set: (n) => (autogroup.nice = n) },
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
    expect(lowerPriority('below-normal', fake)).toEqual({ priority: 10, lowered: 3, autogroup: false, error: null });
    expect(set).toEqual([
      [100, 10],
      [101, 10],
      [103, 10],
    ]);
    expect(nice.get(102)).toBe(15);
  });

  it('normal leaves the priority the daemon was started with, higher or lower', () => {
    const group = { nice: -5 };
    const { fake, set } = host(
      'linux',
      new Map([
        [100, 5],
        [101, -5],
      ]),
      [100, 101],
      new Map(),
      group,
    );
    expect(lowerPriority('normal', fake)).toEqual({ priority: 0, lowered: 0, autogroup: false, error: null });
    expect(set).toEqual([]);
    expect(group.nice).toBe(-5);
  });

  it("leading its own session (a service), it lowers the session's autogroup too, never raising it", () => {
    const group = { nice: 0 };
    const { fake } = host('linux', new Map(), [100], new Map(), group);
    expect(lowerPriority('below-normal', fake)).toMatchObject({ lowered: 1, autogroup: true, error: null });
    expect(group.nice).toBe(10);
    const lower = { nice: 15 };
    expect(lowerPriority('below-normal', host('linux', new Map(), [100], new Map(), lower).fake).autogroup).toBe(false);
    expect(lower.nice).toBe(15);
  });

  it("started from someone else's session (a terminal), it leaves the session's autogroup alone", () => {
    const { fake } = host('linux', new Map(), [100], new Map(), null);
    expect(lowerPriority('below-normal', fake)).toMatchObject({ lowered: 1, autogroup: false });
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
    const group = { nice: 0 };
    const { fake, set, listed } = host('win32', new Map(), [1, 2, 3], new Map(), group);
    expect(lowerPriority('below-normal', fake)).toEqual({ priority: 10, lowered: 1, autogroup: false, error: null });
    expect(group.nice).toBe(0);
    expect(set).toEqual([[0, 10]]);
    expect(listed()).toBe(0);
  });

  it('on Linux without a thread list lowers the calling thread', () => {
    const { fake, set } = host('linux', new Map(), null);
    expect(lowerPriority('below-normal', fake).lowered).toBe(1);
    expect(set).toEqual([[0, 10]]);
  });
});

// The worker runs the compiled module (the global set-up builds dist/).
const MODULE = pathToFileURL(join(process.cwd(), 'dist/workers/priority.js')).href;

function priorityInWorker(): Promise<{ applied: boolean; priority: number }> {
  const worker = new Worker(
    `
    const { parentPort } = require('node:worker_threads');
    const { getPriority } = require('node:os');
    import(${JSON.stringify(MODULE)}).then(({ lowerThisThreadPriority }) => {
      const applied = lowerThisThreadPriority();
      parentPort.postMessage({ applied, priority: getPriority(0) });
    });`,
    { eval: true },
  );
  return new Promise((resolve, reject) => {
    worker.once('message', (message: { applied: boolean; priority: number }) => void worker.terminate().then(() => resolve(message)));
    worker.once('error', reject);
  });
}

describe('lowerThisThreadPriority', () => {
  it.runIf(process.platform === 'linux')(
    'moves only the calling worker thread to nice 19; the rest of the process keeps its priority',
    async () => {
      const before = getPriority(0);
      const inWorker = await priorityInWorker();
      expect(inWorker).toEqual({ applied: true, priority: 19 });
      // (A runner already at nice 19 cannot see this part, but it still checks the call applied.)
      expect(getPriority(0)).toBe(before);
      expect(getPriority(process.pid)).toBe(before);
    },
  );

  it('leaves the priority alone where a nice value belongs to the whole process', () => {
    const before = getPriority(0);
    expect(lowerThisThreadPriority('darwin')).toBe(false);
    expect(lowerThisThreadPriority('win32')).toBe(false);
    expect(getPriority(0)).toBe(before);
  });
});
