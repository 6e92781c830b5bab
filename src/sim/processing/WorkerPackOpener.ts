import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { OpenedPack, OpenPackInput } from './openPack.js';
import type { OpenerValidationOptions, PackOpener } from './PackOpener.js';
import type { PackWorkerReply, PackWorkerRequest } from './packWorker.js';

interface PendingTask {
  resolve: (pack: OpenedPack) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, PendingTask>;
}

/**
 * Opens packs in worker threads, so that validating a 1,000-message pack never stalls the SFTP
 * and HTTP servers, and packs are opened in parallel on several cores. Each task goes to the
 * worker with the fewest tasks in hand.
 */
export class WorkerPackOpener implements PackOpener {
  private nextTaskId = 1;
  private closed = false;

  private constructor(private readonly workers: PoolWorker[]) {}

  static async create(count: number, options: OpenerValidationOptions): Promise<WorkerPackOpener> {
    const script = workerScript();
    const workers = await Promise.all(
      Array.from({ length: count }, () => startWorker(script, options)),
    );
    const opener = new WorkerPackOpener(workers);
    for (const w of workers) opener.listen(w);
    return opener;
  }

  open(input: OpenPackInput): Promise<OpenedPack> {
    if (this.closed) return Promise.reject(new Error('the pack opener is closed'));
    const target = this.workers.reduce((least, w) => (w.pending.size < least.pending.size ? w : least));
    const taskId = this.nextTaskId++;
    return new Promise<OpenedPack>((resolve, reject) => {
      target.pending.set(taskId, { resolve, reject });
      const request: PackWorkerRequest = { taskId, input };
      target.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private listen(w: PoolWorker): void {
    w.worker.on('message', (reply: PackWorkerReply) => {
      const task = w.pending.get(reply.taskId);
      if (!task) return;
      w.pending.delete(reply.taskId);
      if (reply.ok) task.resolve(reply.result);
      else task.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name, code: reply.error.code }));
    });
    const failAll = (error: Error) => {
      for (const task of w.pending.values()) task.reject(error);
      w.pending.clear();
    };
    w.worker.on('error', failAll);
    w.worker.on('exit', (code) => {
      if (!this.closed) failAll(new Error(`a processing worker stopped (exit code ${code})`));
    });
  }
}

function startWorker(script: URL, options: OpenerValidationOptions): Promise<PoolWorker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: options });
    const onStartMessage = (message: { ready?: boolean; message?: string }) => {
      if (message.ready === undefined) return;
      worker.off('message', onStartMessage);
      worker.off('error', reject);
      if (message.ready) resolve({ worker, pending: new Map() });
      else {
        void worker.terminate();
        reject(new Error(`a processing worker could not build its validator: ${message.message ?? 'unknown error'}`));
      }
    };
    worker.on('message', onStartMessage);
    worker.once('error', reject);
  });
}

/**
 * The compiled worker script. Under the test runner the simulator's own modules are loaded from
 * `src/` as TypeScript, which a worker thread cannot run; the tests' global set-up compiles the
 * project first, so the worker runs the same code from `dist/`.
 */
function workerScript(): URL {
  const beside = new URL('./packWorker.js', import.meta.url);
  const path = fileURLToPath(beside);
  if (existsSync(path)) return beside;
  const marker = `${sep}src${sep}sim${sep}`;
  const at = path.lastIndexOf(marker);
  const compiled = at === -1 ? null : `${path.slice(0, at)}${sep}dist${sep}sim${sep}${path.slice(at + marker.length)}`;
  if (compiled !== null && existsSync(compiled)) return pathToFileURL(compiled);
  throw new Error(`the processing worker script is missing (${path}); build the project first (npm run build)`);
}
