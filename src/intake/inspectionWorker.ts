import { Validator } from '../validation/Validator.js';
import { warmUp } from '../validation/warmUp.js';
import { serveTasks } from '../workers/serveTasks.js';
import type { InspectionAnswer, InspectionHandlers, InspectionTask, InspectionWorkerData } from './FileInspector.js';
import { inspectFiles, transferablesOf } from './inspectFile.js';

/**
 * An inspection worker: one validator, built once and warmed up before the worker says it is ready;
 * claims, reads, hashes and validates a slice of a batch per task, and validates the other
 * documents the daemon reads (results, E0402 reports) one per task.
 */
serveTasks<InspectionTask, InspectionAnswer>(async (data) => {
  const { validator: options, maxBytes } = data as InspectionWorkerData;
  const validator = await Validator.create(options);
  warmUp(validator);
  const handlers: InspectionHandlers = {
    inspect: (task) => {
      const result = inspectFiles(task.files, validator, maxBytes);
      return { result, transfer: transferablesOf(result) };
    },
    validate: (task) => ({ result: validator.validate(task.bytes, task.file === undefined ? {} : { file: task.file }) }),
    'schema-info': () => ({ result: { dir: validator.schemasDir, warnings: validator.schemaWarnings } }),
  };
  // Each kind's handler takes its own task; the union cannot say which one this is.
  return (task) => handlers[task.kind](task as never);
});
