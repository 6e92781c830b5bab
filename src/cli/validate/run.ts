import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors/index.js';
import { DuplicateTracker } from '../../validation/DuplicateTracker.js';
import type { Lang } from '../../validation/messages.js';
import type { ValidationReport } from '../../validation/types.js';
import { Validator } from '../../validation/Validator.js';
import { WorkerPool } from '../../workers/WorkerPool.js';
import { workerScript } from '../../workers/workerScript.js';
import { EXIT } from '../exit.js';
import { validateFiles as readAndValidate } from './readForValidation.js';
import type { ValidationTaskResult, ValidationWorkerData } from './validationWorker.js';
import { formatReports } from './format.js';

export interface ValidateOptions {
  json?: boolean;
  schemas?: string;
  lang: Lang;
  maxBytes: number;
}

/** `turnkey validate`. */
export async function runValidate(paths: string[], options: ValidateOptions): Promise<void> {
  process.exitCode = await validateFiles(paths, options);
}

async function validateFiles(paths: string[], options: ValidateOptions): Promise<number> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new UsageError(`cannot read ${path}: no such file or folder`);
    }
    if (info.isDirectory()) files.push(...(await xmlFilesUnder(path)));
    else files.push(path);
  }
  if (files.length === 0) throw new UsageError(`no *.xml file found in ${paths.join(', ')}`);

  const validatorOptions = {
    ...(options.schemas !== undefined && { schemasDir: options.schemas }),
    lang: options.lang,
    maxBytes: options.maxBytes,
  };
  const { reports, schemaWarnings } =
    files.length >= POOL_THRESHOLD && availableParallelism() > 1
      ? await validateInWorkers(files, validatorOptions)
      : await validateInline(files, validatorOptions);
  // Duplicates are found in the files' order, as they would be dropped.
  const duplicates = new DuplicateTracker(options.lang);
  for (const report of reports) duplicates.check(report);

  // Schema defects go to stderr in both modes: the JSON on stdout stays one parseable array.
  for (const warning of schemaWarnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(options.json ? `${JSON.stringify(reports.map(toJson), null, 2)}\n` : formatReports(reports, options.lang));
  return reports.every((r) => r.valid) ? EXIT.ok : EXIT.findings;
}

/**
 * From this many files on, and with more than one core, validation is shared with worker threads
 * (one per further core, at most 3). A worker is ready only 0.2–0.5 s after it is asked for (while
 * this thread validates beside it), so below this many files this thread alone is done about as soon.
 */
const POOL_THRESHOLD = 1000;
/** Files per task: small enough to share the work out evenly, large enough that messages cost nothing. */
const SLICE = 64;
/** Slices each worker has in hand, so that it never waits for the next. */
const IN_FLIGHT = 2;

type Validated = { reports: ValidationReport[]; schemaWarnings: string[] };

async function validateInline(files: readonly string[], options: ValidationWorkerData['validator']): Promise<Validated> {
  const validator = await Validator.create(options);
  try {
    const { reports, unreadable } = readAndValidate(validator, files, options.maxBytes);
    refuseUnreadable(unreadable);
    return { reports, schemaWarnings: validator.schemaWarnings.map((w) => w.message) };
  } finally {
    validator.dispose();
  }
}

/**
 * The main thread validates too, from the moment its own validator is ready: a worker is ready only
 * a few hundred milliseconds later, and every thread pays its own warm-up whenever it starts, so on
 * two cores the main thread and one worker finish sooner than two workers. Slices are taken in
 * order from one queue and their reports put back in order.
 */
async function validateInWorkers(files: readonly string[], options: ValidationWorkerData['validator']): Promise<Validated> {
  const slices: string[][] = [];
  for (let i = 0; i < files.length; i += SLICE) slices.push(files.slice(i, i + SLICE));
  const done: ValidationTaskResult[] = new Array(slices.length);
  let next = 0;

  const starting = WorkerPool.start<string[], ValidationTaskResult>({
    script: workerScript('./validationWorker.js', import.meta.url),
    workerData: { validator: options } satisfies ValidationWorkerData,
    size: Math.max(1, Math.min(3, availableParallelism() - 1)),
  });
  // A slice a worker could not finish, or all of them if no worker starts, is validated here: the
  // reports are the same whichever thread made them.
  const leftOver: number[] = [];
  const helping = starting.then(
    async (pool) => {
      const takeSlices = async (): Promise<void> => {
        while (next < slices.length) {
          const index = next++;
          await pool.run(slices[index]!).then(
            (result) => (done[index] = result),
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
      done[index] = { ...readAndValidate(here, slices[index]!, options.maxBytes), schemaWarnings };
    };
    while (next < slices.length) {
      validateHere(next++);
      // Between slices, the workers' answers are taken and they are given their next slices.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await helping;
    for (const index of leftOver) validateHere(index);
  } finally {
    validator?.dispose();
    // Nothing is left for the workers once this thread is done or has failed.
    next = slices.length;
    await starting.then(
      (pool) => pool.close(),
      () => {},
    );
  }
  refuseUnreadable(done.find((r) => r.unreadable)?.unreadable);
  return { reports: done.flatMap((r) => r.reports), schemaWarnings: done[0]?.schemaWarnings ?? [] };
}

/** A file that could not be read ends the command: a usage error naming it (exit 2). */
function refuseUnreadable(unreadable: ValidationTaskResult['unreadable'] | undefined): void {
  if (unreadable) throw new UsageError(`cannot read ${unreadable.file}: ${unreadable.message}`);
}

/** The documented `--json` shape. */
function toJson(report: ValidationReport) {
  return {
    file: report.file,
    messageType: report.messageType,
    version: report.version,
    key: report.key,
    invoiceIdentifier: report.invoiceIdentifier,
    valid: report.valid,
    errors: report.errors.map(({ code, message, line, path }) => ({ code, message, line, path })),
    warnings: report.warnings.map(({ code, message, line, path }) => ({ code, message, line, path })),
  };
}

async function xmlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.xml'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
