import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/workers/WorkerPool.js';
import { WorkerPoolError } from '../../src/workers/WorkerPoolError.js';
import { tempDir } from '../helpers/tempDir.js';

// Workers run compiled code: the test worker uses the built serveTasks (the global set-up builds dist/).
const SERVE_TASKS = pathToFileURL(join(process.cwd(), 'dist/workers/serveTasks.js')).href;

const WORKER = `
import { resourceLimits } from 'node:worker_threads';
import { serveTasks } from ${JSON.stringify(SERVE_TASKS)};
serveTasks(async (data) => {
  if (data && data.failSetup) throw Object.assign(new Error('no validator today'), { code: 'E_SETUP', hint: 'try tomorrow' });
  if (data && data.exitInSetup) process.exit(4);
  if (data && data.slowSetup) await new Promise((resolve) => setTimeout(resolve, 60_000));
  return (request) => {
    if (request.kind === 'die') process.exit(3);
    if (request.kind === 'throw') throw Object.assign(new Error('bad input'), { code: 'E_BAD' });
    if (request.kind === 'limits') return { result: { doubled: 0, bytes: new Uint8Array(), limits: resourceLimits } };
    const bytes = new Uint8Array(request.n);
    bytes.fill(7);
    return { result: { doubled: request.n * 2, bytes }, transfer: [bytes.buffer] };
  };
});
`;

type Request = { kind: 'double' | 'die' | 'throw' | 'limits'; n: number };
type Reply = { doubled: number; bytes: Uint8Array; limits?: { maxYoungGenerationSizeMb: number } };

describe('WorkerPool', () => {
  let dir: ReturnType<typeof tempDir>;
  let script: URL;
  let pool: WorkerPool<Request, Reply> | undefined;

  beforeEach(() => {
    dir = tempDir();
    const path = join(dir.path, 'worker.mjs');
    writeFileSync(path, WORKER);
    script = pathToFileURL(path);
  });
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    dir.cleanup();
  });

  it('runs tasks on its workers and moves the buffers of the answers back', async () => {
    pool = await WorkerPool.start<Request, Reply>({ script, workerData: {}, size: 2 });
    const replies = await Promise.all([1, 2, 3, 4].map((n) => pool!.run({ kind: 'double', n })));
    expect(replies.map((r) => r.doubled)).toEqual([2, 4, 6, 8]);
    expect(replies[3]!.bytes).toEqual(new Uint8Array([7, 7, 7, 7]));
  });

  it('starts its workers with the V8 heap limits it is given', async () => {
    pool = await WorkerPool.start<Request, Reply>({ script, workerData: {}, size: 1, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    expect((await pool.run({ kind: 'limits', n: 0 })).limits?.maxYoungGenerationSizeMb).toBe(8);
  });

  it('fails a task whose handler threw with task-failed, keeping its error code, and carries on', async () => {
    pool = await WorkerPool.start<Request, Reply>({ script, workerData: {}, size: 1 });
    const error = await pool.run({ kind: 'throw', n: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerPoolError);
    expect(error).toMatchObject({ code: 'task-failed', taskErrorCode: 'E_BAD', message: 'bad input' });
    expect((await pool.run({ kind: 'double', n: 5 })).doubled).toBe(10);
  });

  it('fails the tasks of a worker that stopped with worker-exited, and replaces the worker', async () => {
    const exits: number[] = [];
    let replaced: Promise<void> = Promise.resolve();
    pool = await WorkerPool.start<Request, Reply>({
      script,
      workerData: {},
      size: 1,
      onWorkerExit: (code, replacement) => {
        exits.push(code);
        replaced = replacement;
      },
    });
    const error = await pool.run({ kind: 'die', n: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'worker-exited' });
    expect(exits).toEqual([3]);
    await replaced;
    expect(pool.size).toBe(1);
    expect((await pool.run({ kind: 'double', n: 21 })).doubled).toBe(42);
  });

  it("refuses to start when a worker cannot get ready, with worker-start-failed and the worker's own error", async () => {
    const error = await WorkerPool.start({ script, workerData: { failSetup: true }, size: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'worker-start-failed',
      workerError: { message: 'no validator today', code: 'E_SETUP', hint: 'try tomorrow' },
    });
    expect((error as Error).message).toContain('no validator today');
  });

  it('refuses to start when a worker stops before it is ready, with worker-start-failed and its exit code', async () => {
    const error = await WorkerPool.start({ script, workerData: { exitInSetup: true }, size: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'worker-start-failed' });
    expect((error as Error).message).toContain('exit code 4');
  });

  it('stops its workers while they start when its signal is aborted, and rejects with pool-closed', async () => {
    const abort = new AbortController();
    const starting = WorkerPool.start({ script, workerData: { slowSetup: true }, size: 2, signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    const began = Date.now();
    await expect(starting).rejects.toMatchObject({ code: 'pool-closed' });
    // Not the minute the workers' set-up would take.
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it('starts no worker when its signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    const began = Date.now();
    await expect(WorkerPool.start({ script, workerData: { slowSetup: true }, size: 1, signal: abort.signal })).rejects.toMatchObject({
      code: 'pool-closed',
    });
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it('answers pool-closed once closed', async () => {
    pool = await WorkerPool.start<Request, Reply>({ script, workerData: {}, size: 1 });
    await pool.close();
    await expect(pool.run({ kind: 'double', n: 1 })).rejects.toMatchObject({ code: 'pool-closed' });
  });
});
