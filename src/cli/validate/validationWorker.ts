import { Validator, type ValidatorOptions } from '../../validation/Validator.js';
import type { ValidationReport } from '../../validation/types.js';
import { serveTasks } from '../../workers/serveTasks.js';
import { validateFiles } from './readForValidation.js';

/** What `turnkey validate`'s workers build their validator from (plain data: it crosses threads). */
export interface ValidationWorkerData {
  validator: Pick<ValidatorOptions, 'schemasDir' | 'lang' | 'maxBytes'>;
}

export interface ValidationTaskResult {
  reports: ValidationReport[];
  /** A file that could not be read: the first, with why. */
  unreadable: { file: string; message: string } | null;
  schemaWarnings: string[];
}

/** A worker of `turnkey validate`: one validator, built once; reads and validates a slice of the files per task. */
serveTasks<string[], ValidationTaskResult>(async (data) => {
  const { validator: options } = data as ValidationWorkerData;
  const validator = await Validator.create(options);
  const schemaWarnings = validator.schemaWarnings.map((w) => w.message);
  return (files) => ({ result: { ...validateFiles(validator, files, options.maxBytes), schemaWarnings } });
});
