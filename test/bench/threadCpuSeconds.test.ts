import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadCpuSeconds } from '../../src/bench/benchProcess.js';

describe.runIf(process.platform === 'linux')('threadCpuSeconds', () => {
  it('lists the main thread under the pid and charges a busy worker thread to its own thread', async () => {
    const before = threadCpuSeconds(process.pid);
    expect(before.has(process.pid)).toBe(true);
    // A worker that spins for 400 ms of CPU, then waits to be ended (its thread is still listed).
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const until = process.cpuUsage().user + 400_000;
       while (process.cpuUsage().user < until);
       parentPort.postMessage('done');
       setInterval(() => {}, 1000);`,
      { eval: true },
    );
    try {
      await new Promise((resolve) => worker.once('message', resolve));
      const after = threadCpuSeconds(process.pid);
      const gained = [...after].filter(([thread]) => thread !== process.pid).map(([thread, s]) => s - (before.get(thread) ?? 0));
      expect(Math.max(...gained)).toBeGreaterThanOrEqual(0.3);
      expect(after.get(process.pid)! - before.get(process.pid)!).toBeLessThan(0.3);
    } finally {
      await worker.terminate();
    }
  });

  it('is empty for a process that does not exist', () => {
    expect(threadCpuSeconds(2 ** 22 + 1).size).toBe(0);
  });
});
