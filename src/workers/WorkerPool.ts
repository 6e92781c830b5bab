import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';
import { WorkerPoolError } from './WorkerPoolError.js';
import type { ReadyMessage, TaskReply, TaskRequest } from './workerProtocol.js';

export interface WorkerPoolOptions {
  /** The compiled worker script (see workerScript); it calls serveTasks. */
  script: URL;
  /** Passed to each worker's set-up. */
  workerData: unknown;
  size: number;
  /** V8 heap limits of each worker (node's `resourceLimits`). */
  resourceLimits?: ResourceLimits;
  /** Told when a worker stops unexpectedly; `replacement` settles once its successor is ready. */
  onWorkerExit?: (exitCode: number, replacement: Promise<void>) => void;
  /** Aborted while the workers start: they are stopped at once, and `start` rejects with `pool-closed`. */
  signal?: AbortSignal;
}

/**
 * For a worker whose allocations die with each task (a file checked, a file uploaded): a young
 * generation capped at 8 MB. V8's own cap is several times that, and a flood reaches it; the small
 * one collects as cheaply (measured for a validation worker: 10-15 MB less resident at the same
 * files/s over a 100,000-file intake; for the SFTP worker, a gain within the noise of a burst).
 */
export const SHORT_LIVED_TASKS: Readonly<ResourceLimits> = Object.freeze({ maxYoungGenerationSizeMb: 8 });

interface PendingTask<Res> {
  resolve: (result: Res) => void;
  reject: (error: Error) => void;
}

interface PoolWorker<Res> {
  worker: Worker;
  pending: Map<number, PendingTask<Res>>;
}

/**
 * A fixed number of worker threads running the same task handler. Each task goes to the worker with
 * the fewest tasks in hand. A worker that stops unexpectedly fails the tasks it held (code
 * `worker-exited`: the caller repeats them) and is replaced, so the pool keeps its size.
 */
export class WorkerPool<Req, Res> {
  private readonly workers: Array<PoolWorker<Res>> = [];
  /** Workers not yet ready: closing stops them too. */
  private readonly starting = new Set<Worker>();
  private nextTaskId = 1;
  private closed = false;

  private constructor(private readonly options: WorkerPoolOptions) {}

  /** Starts every worker and resolves once all are ready (rejects, `worker-start-failed`, if one is not). */
  static async start<Req, Res>(options: WorkerPoolOptions): Promise<WorkerPool<Req, Res>> {
    const { signal } = options;
    if (signal?.aborted) throw new WorkerPoolError('pool-closed', 'the worker pool was closed before its workers started');
    const pool = new WorkerPool<Req, Res>(options);
    const onAbort = (): void => void pool.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const started = await Promise.allSettled(Array.from({ length: Math.max(1, options.size) }, () => pool.spawn()));
      const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) {
        await pool.close();
        throw failed.reason;
      }
      if (pool.closed) throw new WorkerPoolError('pool-closed', 'the worker pool was closed while its workers started');
      return pool;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run(request: Req, transfer: Transferable[] = []): Promise<Res> {
    if (this.closed || this.workers.length === 0) return Promise.reject(new WorkerPoolError('pool-closed', 'the worker pool is closed'));
    const target = this.workers.reduce((least, w) => (w.pending.size < least.pending.size ? w : least));
    const taskId = this.nextTaskId++;
    return new Promise<Res>((resolve, reject) => {
      target.pending.set(taskId, { resolve, reject });
      target.worker.postMessage({ taskId, request } satisfies TaskRequest<Req>, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.workers.splice(0);
    const starting = [...this.starting];
    this.starting.clear();
    for (const w of workers) this.failAll(w, new WorkerPoolError('pool-closed', 'the worker pool was closed'));
    await Promise.all([...workers.map((w) => w.worker.terminate()), ...starting.map((worker) => worker.terminate())]);
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { script, workerData, resourceLimits } = this.options;
      const worker = new Worker(script, { workerData, ...(resourceLimits ? { resourceLimits } : {}) });
      const entry: PoolWorker<Res> = { worker, pending: new Map() };
      this.starting.add(worker);
      const settled = (): void => {
        this.starting.delete(worker);
        worker.off('message', onStartMessage);
        worker.off('error', onStartError);
        worker.off('exit', onStartExit);
      };
      const onStartError = (error: Error): void => {
        settled();
        reject(new WorkerPoolError('worker-start-failed', `a worker could not start: ${error.message}`));
      };
      // Stopped before it said it was ready: by close(), or by itself (process.exit in its set-up).
      const onStartExit = (exitCode: number): void => {
        settled();
        if (this.closed) resolve();
        else reject(new WorkerPoolError('worker-start-failed', `a worker stopped (exit code ${exitCode}) before it was ready`));
      };
      const onStartMessage = (message: ReadyMessage) => {
        if (message.ready === undefined) return;
        settled();
        if (!message.ready) {
          void worker.terminate();
          const workerError = {
            message: message.message ?? 'unknown error',
            ...(message.code !== undefined && { code: message.code }),
            ...(message.hint !== undefined && { hint: message.hint }),
          };
          const failure = `a worker could not get ready: ${workerError.message}`;
          reject(new WorkerPoolError('worker-start-failed', failure, undefined, workerError));
          return;
        }
        if (this.closed) {
          void worker.terminate();
          resolve();
          return;
        }
        this.listen(entry);
        this.workers.push(entry);
        resolve();
      };
      worker.on('message', onStartMessage);
      worker.once('error', onStartError);
      worker.once('exit', onStartExit);
    });
  }

  private listen(w: PoolWorker<Res>): void {
    w.worker.on('message', (reply: TaskReply<Res>) => {
      const task = w.pending.get(reply.taskId);
      if (!task) return;
      w.pending.delete(reply.taskId);
      if (reply.ok) task.resolve(reply.result);
      else task.reject(new WorkerPoolError('task-failed', reply.error.message, reply.error.code));
    });
    w.worker.on('error', () => {
      // Followed by 'exit', which fails the tasks and replaces the worker.
    });
    w.worker.on('exit', (exitCode) => {
      if (this.closed) return;
      const at = this.workers.indexOf(w);
      if (at !== -1) this.workers.splice(at, 1);
      this.failAll(w, new WorkerPoolError('worker-exited', `a worker thread stopped (exit code ${exitCode}) while it held this task`));
      const replacement = this.spawn();
      replacement.catch(() => undefined); // the pool carries on smaller; onWorkerExit may report it
      this.options.onWorkerExit?.(exitCode, replacement);
    });
  }

  private failAll(w: PoolWorker<Res>, error: Error): void {
    for (const task of w.pending.values()) task.reject(error);
    w.pending.clear();
  }
}
