import type { ValidatorOptions } from '../validation/Validator.js';
import { WorkerPool } from '../workers/WorkerPool.js';
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

export class InlineFileInspector implements FileInspector {
  constructor(
    private readonly validator: MessageValidator,
    private readonly maxBytes: number,
  ) {}

  inspect(files: readonly FileToInspect[]): Promise<InspectedFile[]> {
    return Promise.resolve(inspectFiles(files, this.validator, this.maxBytes));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** What an inspection worker builds its validator from (plain data: it crosses threads). */
export interface InspectionWorkerData {
  validator: Pick<ValidatorOptions, 'schemasDir' | 'lang' | 'maxBytes' | 'clockSkewSeconds' | 'b2cTaxIncluded'>;
  maxBytes: number;
}

const INSPECTION_WORKER_YOUNG_GENERATION_MB = 8;

export class WorkerFileInspector implements FileInspector {
  private constructor(private readonly pool: WorkerPool<FileToInspect[], InspectedFile[]>) {}

  static async start(
    size: number,
    data: InspectionWorkerData,
    onWorkerExit?: (exitCode: number, replacement: Promise<void>) => void,
  ): Promise<WorkerFileInspector> {
    const pool = await WorkerPool.start<FileToInspect[], InspectedFile[]>({
      script: workerScript('./inspectionWorker.js', import.meta.url),
      workerData: data,
      size,
      // What a worker allocates per file dies with the file: a young generation capped at 8 MB
      // (V8's own cap is several times that, and a flood reaches it) collects as cheaply and keeps
      // the daemon's resident size 10-15 MB lower per worker (measured: 100,000-file intake, same
      // files/s).
      resourceLimits: { maxYoungGenerationSizeMb: INSPECTION_WORKER_YOUNG_GENERATION_MB },
      ...(onWorkerExit ? { onWorkerExit } : {}),
    });
    return new WorkerFileInspector(pool);
  }

  /** The batch is shared out in contiguous slices, one per worker; answers come back in order. */
  async inspect(files: readonly FileToInspect[]): Promise<InspectedFile[]> {
    const slices = Math.min(this.pool.size, files.length);
    const per = Math.ceil(files.length / Math.max(1, slices));
    const parts: Array<Promise<InspectedFile[]>> = [];
    for (let i = 0; i < files.length; i += per) parts.push(this.pool.run(files.slice(i, i + per)));
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
