import { Validator } from '../../validation/Validator.js';
import { serveTasks } from '../../workers/serveTasks.js';
import { openPack, type OpenPackInput, type OpenedPack } from './openPack.js';
import type { OpenerValidationOptions } from './PackOpener.js';

/** A processing worker: one validator, built once; opens one pack per task. */
serveTasks<OpenPackInput, OpenedPack>(async (data) => {
  const validator = await Validator.create(data as OpenerValidationOptions);
  return (input) => ({ result: openPack(input, validator) });
});
