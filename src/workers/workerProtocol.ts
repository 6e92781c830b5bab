/** The messages between a WorkerPool and its workers (see serveTasks). */
export interface TaskRequest<Req> {
  taskId: number;
  request: Req;
}

export type TaskReply<Res> =
  { taskId: number; ok: true; result: Res } | { taskId: number; ok: false; error: { message: string; code?: string } };

/** Sent once by each worker when it is ready (or could not get ready). */
export interface ReadyMessage {
  ready: boolean;
  /** Why it could not get ready: the set-up's error, with its code and hint when it had them. */
  message?: string;
  code?: string;
  hint?: string;
}
