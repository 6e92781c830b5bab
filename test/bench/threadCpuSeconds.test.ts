import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { threadCpuSeconds } from '../../src/bench/benchProcess.js';

describe.runIf(process.platform === 'linux')('threadCpuSeconds', () => {
  it('lists the main thread under the pid and charges a busy worker thread to its own thread', async () => {
    const before = threadCpuSeconds(process.pid);
    expect(before.has(process.pid)).toBe(true);
    // A worker that spins until its own thread (Linux's /proc/thread-self) has used 400 ms of CPU,
    // then waits to be ended (its thread is still listed).
    const worker = new Worker(
      `const { readFileSync } = require('node:fs');
       const { parentPort } = require('node:worker_threads');
       const own = () => {
         const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
         return (Number(fields[11]) + Number(fields[12])) / 100;
       };
       while (own() < 0.4);
       parentPort.postMessage('done');
       setInterval(() => {}, 1000);`,
      { eval: true },
    );
    try {
      await new Promise((resolve) => worker.once('message', resolve));
      const after = threadCpuSeconds(process.pid);
      const gained = [...after].filter(([thread]) => thread !== process.pid).map(([thread, s]) => s - (before.get(thread) ?? 0));
      const busiest = Math.max(...gained);
      expect(busiest).toBeGreaterThanOrEqual(0.4);
      expect(busiest).toBeLessThan(1.5);
      expect(after.get(process.pid)! - before.get(process.pid)!).toBeLessThan(0.3);
    } finally {
      await worker.terminate();
    }
  });

  it('is empty for a process that does not exist', () => {
    expect(threadCpuSeconds(2 ** 22 + 1).size).toBe(0);
  });
});
