/** Why a task given to a worker pool did not return a result. Decisions use `code`. */
export type WorkerPoolErrorCode =
  /** The worker's own code threw on this task (its message and code are kept). */
  | 'task-failed'
  /** The worker thread stopped while it held the task (crash, out of memory). */
  | 'worker-exited'
  /** A worker could not get ready (e.g. its validator could not be built). */
  | 'worker-start-failed'
  /** The pool was closed, or has no worker left. */
  | 'pool-closed';

export class WorkerPoolError extends Error {
  constructor(
    readonly code: WorkerPoolErrorCode,
    message: string,
    readonly taskErrorCode?: string,
    /** For `worker-start-failed` by the worker's own set-up: its error, as it was. */
    readonly workerError?: { message: string; code?: string; hint?: string },
  ) {
    super(message);
    this.name = 'WorkerPoolError';
  }
}
