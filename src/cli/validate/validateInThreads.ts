import { availableParallelism } from 'node:os';
import { Validator } from '../../validation/Validator.js';
import { WorkerPool, type WorkerPoolOptions } from '../../workers/WorkerPool.js';
import { workerScript } from '../../workers/workerScript.js';
import { refuseUnreadable, validateFiles as readAndValidate } from './readForValidation.js';
import type { ValidationTaskResult, ValidationWorkerData } from './validationWorker.js';
import type { ValidationReport } from '../../validation/types.js';

/** Files per task: small enough to share the work out evenly, large enough that messages cost nothing. */
const SLICE = 64;
/** Slices each worker has in hand, so that it never waits for the next. */
const IN_FLIGHT = 2;

export type Validated = { reports: ValidationReport[]; schemaWarnings: string[] };

/** The workers' pool as this needs it (tests give one that fails). */
export type StartPool = (options: WorkerPoolOptions) => Promise<Pick<WorkerPool<string[], ValidationTaskResult>, 'size' | 'run' | 'close'>>;

/** Worker threads as `turnkey validate` starts them. */
export const startWorkers: StartPool = (options) => WorkerPool.start(options);

/**
 * Validates the files on this thread and, given `startPool`, on worker threads beside it. The main
 * thread validates from the moment its own validator is ready: a worker is ready only a few hundred
 * milliseconds later, and every thread pays its own warm-up whenever it starts, so on two cores the
 * main thread and one worker finish sooner than two workers. Slices are taken in order from one
 * queue and their reports put back in order.
 */
export async function validateInThreads(
  files: readonly string[],
  options: ValidationWorkerData['validator'],
  startPool: StartPool | null,
): Promise<Validated> {
  const slices: string[][] = [];
  for (let i = 0; i < files.length; i += SLICE) slices.push(files.slice(i, i + SLICE));
  const done = new Array<ValidationTaskResult | undefined>(slices.length);
  let next = 0;
  const finish = (index: number, result: ValidationTaskResult): void => {
    done[index] = result;
    // A file that cannot be read ends the command: the slices after it are not worth validating.
    if (result.unreadable) next = slices.length;
  };

  const finished = new AbortController();
  const starting =
    startPool?.({
      script: workerScript('./validationWorker.js', import.meta.url),
      workerData: { validator: options } satisfies ValidationWorkerData,
      size: Math.max(1, Math.min(3, availableParallelism() - 1)),
      signal: finished.signal,
    }) ?? null;
  // A slice a worker could not finish, or all of them if no worker starts, is validated here: the
  // reports are the same whichever thread made them.
  const leftOver: number[] = [];
  const helping = starting?.then(
    async (pool) => {
      const takeSlices = async (): Promise<void> => {
        while (next < slices.length) {
          const index = next++;
          await pool.run(slices[index]!).then(
            (result) => finish(index, result),
            () => leftOver.push(index),
          );
        }
      };
      await Promise.all(Array.from({ length: pool.size * IN_FLIGHT }, takeSlices));
    },
    () => {},
  );

  let validator: Validator | undefined;
  try {
    validator = await Validator.create(options);
    const here = validator;
    const schemaWarnings = here.schemaWarnings.map((w) => w.message);
    const validateHere = (index: number): void => {
      finish(index, { ...readAndValidate(here, slices[index]!, options.maxBytes), schemaWarnings });
    };
    while (next < slices.length) {
      validateHere(next++);
      // Between slices, the workers' answers are taken and they are given their next slices.
      if (starting) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // Every slice is taken: workers still starting are stopped, not waited for.
    finished.abort();
    await helping;
    for (const index of leftOver) validateHere(index);
  } finally {
    validator?.dispose();
    // Nothing is left for the workers once this thread is done or has failed.
    next = slices.length;
    finished.abort();
    await starting?.then(
      (pool) => pool.close(),
      () => {},
    );
  }
  // Slices are taken in order: every slice before the first unreadable file was validated.
  refuseUnreadable(done.find((r) => r?.unreadable)?.unreadable);
  return { reports: done.flatMap((r) => r!.reports), schemaWarnings: done[0]?.schemaWarnings ?? [] };
}
