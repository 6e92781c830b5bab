import { Validator } from '../validation/Validator.js';
import { warmUp } from '../validation/warmUp.js';
import { serveTasks } from '../workers/serveTasks.js';
import type { InspectionAnswer, InspectionTask, InspectionWorkerData } from './FileInspector.js';
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
  return (task) => {
    switch (task.kind) {
      case 'inspect': {
        const result = inspectFiles(task.files, validator, maxBytes);
        return { result, transfer: transferablesOf(result) };
      }
      case 'validate':
        return { result: validator.validate(task.bytes, task.file === undefined ? {} : { file: task.file }) };
      case 'schema-info':
        return { result: { dir: validator.schemasDir, warnings: validator.schemaWarnings } };
    }
  };
});
