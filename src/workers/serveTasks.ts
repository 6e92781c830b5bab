import { parentPort, workerData, type Transferable } from 'node:worker_threads';
import type { ReadyMessage, TaskReply, TaskRequest } from './workerProtocol.js';

/** What a task handler returns: its result, and buffers of it to move (not copy) to the pool. */
export interface TaskOutput<Res> {
  result: Res;
  transfer?: Transferable[];
}

/**
 * The worker side of a WorkerPool: `setup` builds the worker's state from its workerData once (a
 * failure is reported to the pool, which then fails its start), then each task is handled as it
 * comes (an asynchronous handler may have several under way).
 */
export function serveTasks<Req, Res>(
  setup: (data: unknown) => Promise<(request: Req) => TaskOutput<Res> | Promise<TaskOutput<Res>>>,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks must run in a worker thread');
  const ready = setup(workerData);
  ready.then(
    () => port.postMessage({ ready: true } satisfies ReadyMessage),
    (error: unknown) => {
      const e = error as Error & { code?: unknown; hint?: unknown };
      port.postMessage({
        ready: false,
        message: e.message,
        ...(typeof e.code === 'string' && { code: e.code }),
        ...(typeof e.hint === 'string' && { hint: e.hint }),
      } satisfies ReadyMessage);
    },
  );
  port.on('message', (task: TaskRequest<Req>) => {
    ready
      .then(async (handle) => {
        const output = await handle(task.request);
        const reply: TaskReply<Res> = { taskId: task.taskId, ok: true, result: output.result };
        port.postMessage(reply, output.transfer ?? []);
      })
      .catch((error: unknown) => {
        const e = error as Error & { code?: string };
        const reply: TaskReply<Res> = {
          taskId: task.taskId,
          ok: false,
          error: { message: e.message, ...(e.code ? { code: String(e.code) } : {}) },
        };
        port.postMessage(reply);
      });
  });
}
