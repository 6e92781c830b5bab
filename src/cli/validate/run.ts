import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../errors/index.js';
import { DuplicateTracker } from '../../validation/DuplicateTracker.js';
import type { Lang } from '../../validation/messages.js';
import type { ValidationReport } from '../../validation/types.js';
import { Validator } from '../../validation/Validator.js';
import { EXIT } from '../exit.js';
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

  const validator = await Validator.create({
    ...(options.schemas !== undefined && { schemasDir: options.schemas }),
    lang: options.lang,
    maxBytes: options.maxBytes,
  });
  const duplicates = new DuplicateTracker(options.lang);
  const reports: ValidationReport[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      // Read no more than the limit allows, so a huge file costs no memory.
      const size = (await stat(file)).size;
      bytes = size > options.maxBytes ? Buffer.alloc(size) : await readFile(file);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
    }
    const report = validator.validate(bytes, { file });
    duplicates.check(report);
    reports.push(report);
  }

  // Schema defects go to stderr in both modes: the JSON on stdout stays one parseable array.
  for (const warning of validator.schemaWarnings) process.stderr.write(`warning: ${warning.message}\n`);
  process.stdout.write(options.json ? `${JSON.stringify(reports.map(toJson), null, 2)}\n` : formatReports(reports, options.lang));
  return reports.every((r) => r.valid) ? EXIT.ok : EXIT.findings;
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
