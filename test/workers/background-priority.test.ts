import { getPriority } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

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
  // A runner already at nice 19 could not tell the difference.
  it.runIf(process.platform === 'linux' && getPriority(0) < 19)('moves only the calling worker thread to nice 19; the rest of the process keeps its priority', async () => {
    const before = getPriority(0);
    const inWorker = await priorityInWorker();
    expect(inWorker).toEqual({ applied: true, priority: 19 });
    expect(getPriority(0)).toBe(before);
    expect(getPriority(process.pid)).toBe(before);
  });

  it.runIf(process.platform !== 'linux')('leaves the priority alone where a nice value belongs to the whole process', async () => {
    const inWorker = await priorityInWorker();
    expect(inWorker.applied).toBe(false);
  });
});
