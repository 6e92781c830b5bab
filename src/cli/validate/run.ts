import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors/index.js';
import { DuplicateTracker } from '../../validation/DuplicateTracker.js';
import type { Lang } from '../../validation/messages.js';
import type { ValidationReport } from '../../validation/types.js';
import { EXIT } from '../exit.js';
import { startWorkers, validateInThreads } from './validateInThreads.js';
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
  const { reports, schemaWarnings } = await validateInThreads(
    files,
    validatorOptions,
    files.length >= POOL_THRESHOLD && availableParallelism() > 1 ? startWorkers : null,
  );
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
