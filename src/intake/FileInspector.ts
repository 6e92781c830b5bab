import { TurnkeyError } from '../errors/index.js';
import type { AsyncValidator, SchemaInfo, ValidationReport } from '../validation/types.js';
import type { ValidatorOptions } from '../validation/Validator.js';
import { SHORT_LIVED_TASKS, WorkerPool } from '../workers/WorkerPool.js';
import { WorkerPoolError } from '../workers/WorkerPoolError.js';
import type { TaskOutput } from '../workers/serveTasks.js';
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

/** The tasks of an inspection worker, by kind, each with its answer. */
export interface InspectionTasks {
  inspect: { task: { kind: 'inspect'; files: FileToInspect[] }; answer: InspectedFile[] };
  validate: { task: { kind: 'validate'; bytes: Uint8Array; file?: string }; answer: ValidationReport };
  'schema-info': { task: { kind: 'schema-info' }; answer: SchemaInfo };
}

export type InspectionTask = InspectionTasks[keyof InspectionTasks]['task'];
export type InspectionAnswer = InspectionTasks[keyof InspectionTasks]['answer'];

/** The worker's handler of each kind: its answer is typed per task, which the pool's one union cannot say. */
export type InspectionHandlers = {
  [K in keyof InspectionTasks]: (task: InspectionTasks[K]['task']) => TaskOutput<InspectionTasks[K]['answer']>;
};

/** What an inspection worker builds its validator from (plain data: it crosses threads). */
export interface InspectionWorkerData {
  validator: Pick<ValidatorOptions, 'schemasDir' | 'lang' | 'maxBytes' | 'clockSkewSeconds' | 'b2cTaxIncluded'>;
  maxBytes: number;
}

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
      resourceLimits: SHORT_LIVED_TASKS, // what a worker allocates per file dies with the file
      ...(onWorkerExit ? { onWorkerExit } : {}),
    }).catch((err: unknown) => {
      // A worker's own refusal (a schema folder that cannot be used) is the start's error, as if made here.
      const own = err instanceof WorkerPoolError ? err.workerError : undefined;
      if (own?.code === undefined) throw err;
      throw new TurnkeyError(own.code, own.message, { cause: err, ...(own.hint !== undefined && { hint: own.hint }) });
    });
    return new WorkerFileInspector(pool);
  }

  validate(bytes: Uint8Array, options: { file?: string } = {}): Promise<ValidationReport> {
    return this.run({ kind: 'validate', bytes, ...(options.file !== undefined && { file: options.file }) });
  }

  schemaInfo(): Promise<SchemaInfo> {
    return this.run({ kind: 'schema-info' });
  }

  /** The batch is shared out in contiguous slices, one per worker; answers come back in order. */
  async inspect(files: readonly FileToInspect[]): Promise<InspectedFile[]> {
    const slices = Math.min(this.pool.size, files.length);
    const per = Math.ceil(files.length / Math.max(1, slices));
    const parts: Array<Promise<InspectedFile[]>> = [];
    for (let i = 0; i < files.length; i += per) parts.push(this.run({ kind: 'inspect', files: files.slice(i, i + per) }));
    // Every slice is finished (its claims done) before a failure is reported.
    const settled = await Promise.allSettled(parts);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.flatMap((r) => (r as PromiseFulfilledResult<InspectedFile[]>).value).map(asBuffers);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** A task's answer is its kind's: the worker answers through `InspectionHandlers`. */
  private run<K extends keyof InspectionTasks>(task: InspectionTasks[K]['task'] & { kind: K }): Promise<InspectionTasks[K]['answer']> {
    return this.pool.run(task) as Promise<InspectionTasks[K]['answer']>;
  }
}

/** Bytes arrive from a worker as plain Uint8Arrays; the store binds Buffers. */
function asBuffers(item: InspectedFile): InspectedFile {
  if (item.kind !== 'read' || !item.bytes || Buffer.isBuffer(item.bytes)) return item;
  return { ...item, bytes: Buffer.from(item.bytes.buffer, item.bytes.byteOffset, item.bytes.byteLength) };
}
