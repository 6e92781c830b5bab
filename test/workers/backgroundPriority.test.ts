import { getPriority } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { lowerThisThreadPriority } from '../../src/workers/backgroundPriority.js';

// The worker runs the compiled module (the global set-up builds dist/).
const MODULE = pathToFileURL(join(process.cwd(), 'dist/workers/backgroundPriority.js')).href;

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
