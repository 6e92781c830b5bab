import { TurnkeyError } from '../errors/index.js';
import type { AsyncValidator, SchemaInfo, ValidationReport } from '../validation/types.js';
import type { ValidatorOptions } from '../validation/Validator.js';
import { WorkerPool } from '../workers/WorkerPool.js';
import { WorkerPoolError } from '../workers/WorkerPoolError.js';
import { workerScript } from '../workers/workerScript.js';
import { inspectFiles, type FileToInspect, type InspectedFile, type MessageValidator } from './inspectFile.js';

/**
 * Claims (SRC → WORK), reads, hashes and validates files: the CPU-heavy half of intake. The inline inspector
 * does it on intake's own thread; the worker inspector in worker threads, so that intake records
 * one batch while the next is validated, and the sending side keeps its turns.
 */
export interface FileInspector {
  inspect(files: readonly FileToInspect[]): Promise<InspectedFile[]>;
  close(): Promise<void>;
}

/**
 * The daemon's validation thread(s): intake's inspector, and the validator of everything else the
 * daemon reads as XML (the platform's results, allowances read again at start, E0402 reports).
 */
export interface ValidationThread extends FileInspector, AsyncValidator {
  schemaInfo(): Promise<SchemaInfo>;
}

/** What the inline inspector needs of its validator (the real `Validator` has it all). */
export interface InlineValidator extends MessageValidator {
  readonly schemasDir: string;
  readonly schemaWarnings: SchemaInfo['warnings'];
  dispose?(): void;
}

export class InlineFileInspector implements ValidationThread {
  /** `owned`: the validator is disposed of on close (it was made for this inspector). */
  constructor(
    private readonly validator: InlineValidator,
    private readonly maxBytes: number,
    private readonly owned = false,
  ) {}

  inspect(files: readonly FileToInspect[]): Promise<InspectedFile[]> {
    return Promise.resolve(inspectFiles(files, this.validator, this.maxBytes));
  }

  validate(bytes: Uint8Array, options: { file?: string } = {}): Promise<ValidationReport> {
    return Promise.resolve(this.validator.validate(bytes, options));
  }

  schemaInfo(): Promise<SchemaInfo> {
    return Promise.resolve({ dir: this.validator.schemasDir, warnings: this.validator.schemaWarnings });
  }

  close(): Promise<void> {
    if (this.owned) this.validator.dispose?.();
    return Promise.resolve();
  }
}

/** A task of an inspection worker. */
export type InspectionTask =
  { kind: 'inspect'; files: FileToInspect[] } | { kind: 'validate'; bytes: Uint8Array; file?: string } | { kind: 'schema-info' };

/** Its answer, by the task's kind. */
export type InspectionAnswer = InspectedFile[] | ValidationReport | SchemaInfo;

/** What an inspection worker builds its validator from (plain data: it crosses threads). */
export interface InspectionWorkerData {
  validator: Pick<ValidatorOptions, 'schemasDir' | 'lang' | 'maxBytes' | 'clockSkewSeconds' | 'b2cTaxIncluded'>;
  maxBytes: number;
}

const INSPECTION_WORKER_YOUNG_GENERATION_MB = 8;

export class WorkerFileInspector implements ValidationThread {
  private constructor(private readonly pool: WorkerPool<InspectionTask, InspectionAnswer>) {}

  static async start(
    size: number,
    data: InspectionWorkerData,
    onWorkerExit?: (exitCode: number, replacement: Promise<void>) => void,
  ): Promise<WorkerFileInspector> {
    const pool = await WorkerPool.start<InspectionTask, InspectionAnswer>({
      script: workerScript('./inspectionWorker.js', import.meta.url),
      workerData: data,
      size,
      // What a worker allocates per file dies with the file: a young generation capped at 8 MB
      // (V8's own cap is several times that, and a flood reaches it) collects as cheaply and keeps
      // the daemon's resident size 10-15 MB lower per worker (measured: 100,000-file intake, same
      // files/s).
      resourceLimits: { maxYoungGenerationSizeMb: INSPECTION_WORKER_YOUNG_GENERATION_MB },
      ...(onWorkerExit ? { onWorkerExit } : {}),
    }).catch((err: unknown) => {
      // A worker's own refusal (a schema folder that cannot be used) is the start's error, as if made here.
      const own = err instanceof WorkerPoolError ? err.workerError : undefined;
      if (own?.code === undefined) throw err;
      throw new TurnkeyError(own.code, own.message, { cause: err, ...(own.hint !== undefined && { hint: own.hint }) });
    });
    return new WorkerFileInspector(pool);
  }

  async validate(bytes: Uint8Array, options: { file?: string } = {}): Promise<ValidationReport> {
    const task: InspectionTask = { kind: 'validate', bytes, ...(options.file !== undefined && { file: options.file }) };
    return (await this.pool.run(task)) as ValidationReport;
  }

  async schemaInfo(): Promise<SchemaInfo> {
    return (await this.pool.run({ kind: 'schema-info' })) as SchemaInfo;
  }

  /** The batch is shared out in contiguous slices, one per worker; answers come back in order. */
  async inspect(files: readonly FileToInspect[]): Promise<InspectedFile[]> {
    const slices = Math.min(this.pool.size, files.length);
    const per = Math.ceil(files.length / Math.max(1, slices));
    const parts: Array<Promise<InspectedFile[]>> = [];
    for (let i = 0; i < files.length; i += per)
      parts.push(this.pool.run({ kind: 'inspect', files: files.slice(i, i + per) }) as Promise<InspectedFile[]>);
    // Every slice is finished (its claims done) before a failure is reported.
    const settled = await Promise.allSettled(parts);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.flatMap((r) => (r as PromiseFulfilledResult<InspectedFile[]>).value).map(asBuffers);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Bytes arrive from a worker as plain Uint8Arrays; the store binds Buffers. */
function asBuffers(item: InspectedFile): InspectedFile {
  if (item.kind !== 'read' || !item.bytes || Buffer.isBuffer(item.bytes)) return item;
  return { ...item, bytes: Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength) };
}
