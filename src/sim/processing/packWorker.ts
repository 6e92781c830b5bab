import { Validator } from '../../validation/Validator.js';
import { lowerThisThreadPriority } from '../../workers/priority.js';
import { serveTasks } from '../../workers/serveTasks.js';
import { openPack, type OpenPackInput, type OpenedPack } from './openPack.js';
import type { OpenerValidationOptions } from './PackOpener.js';

/**
 * A processing worker: one validator, built once; opens one pack per task. It runs at the lowest
 * priority: the simulator stands in for the platform's own servers, so on a shared machine its
 * processing must not take CPU time from the daemon it serves (results simply come a little later).
 */
serveTasks<OpenPackInput, OpenedPack>(async (data) => {
  lowerThisThreadPriority();
  const validator = await Validator.create(data as OpenerValidationOptions);
  return (input) => ({ result: openPack(input, validator) });
});
