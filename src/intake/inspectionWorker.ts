import { Validator } from '../validation/Validator.js';
import { warmUp } from '../validation/warmUp.js';
import { serveTasks } from '../workers/serveTasks.js';
import type { InspectionWorkerData } from './FileInspector.js';
import { inspectFiles, transferablesOf, type FileToInspect, type InspectedFile } from './inspectFile.js';

/**
 * An inspection worker: one validator, built once and warmed up before the worker says it is ready;
 * claims, reads, hashes and validates a slice of a batch per task.
 */
serveTasks<FileToInspect[], InspectedFile[]>(async (data) => {
  const { validator: options, maxBytes } = data as InspectionWorkerData;
  const validator = await Validator.create(options);
  warmUp(validator);
  return (files) => {
    const result = inspectFiles(files, validator, maxBytes);
    return { result, transfer: transferablesOf(result) };
  };
});
