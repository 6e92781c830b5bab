import { parentPort, workerData } from 'node:worker_threads';
import { Validator } from '../../validation/Validator.js';
import { openPack, type OpenPackInput } from './openPack.js';
import type { OpenerValidationOptions } from './PackOpener.js';

/** A processing worker: one validator, built once; opens one pack per message. */
export interface PackWorkerRequest {
  taskId: number;
  input: OpenPackInput;
}

export type PackWorkerReply =
  | { taskId: number; ok: true; result: ReturnType<typeof openPack> }
  | { taskId: number; ok: false; error: { name: string; message: string; code?: string } };

const port = parentPort;
if (port) {
  const validatorReady = Validator.create(workerData as OpenerValidationOptions);
  port.on('message', (request: PackWorkerRequest) => {
    validatorReady
      .then((validator) => {
        const reply: PackWorkerReply = { taskId: request.taskId, ok: true, result: openPack(request.input, validator) };
        port.postMessage(reply);
      })
      .catch((error: unknown) => {
        const e = error as Error & { code?: string };
        const reply: PackWorkerReply = { taskId: request.taskId, ok: false, error: { name: e.name, message: e.message, code: e.code } };
        port.postMessage(reply);
      });
  });
  // Tell the pool the validator is built, so start-up fails early on a schema problem.
  validatorReady.then(
    () => port.postMessage({ ready: true }),
    (error: unknown) => port.postMessage({ ready: false, message: (error as Error).message }),
  );
}
