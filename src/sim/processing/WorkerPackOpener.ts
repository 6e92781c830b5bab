import { WorkerPool } from '../../workers/WorkerPool.js';
import { workerScript } from '../../workers/workerScript.js';
import type { OpenedPack, OpenPackInput } from './openPack.js';
import type { OpenerValidationOptions, PackOpener } from './PackOpener.js';

/**
 * Opens packs in worker threads, so that validating a 1,000-message pack never stalls the SFTP
 * and HTTP servers, and packs are opened in parallel on several cores.
 */
export class WorkerPackOpener implements PackOpener {
  private constructor(private readonly pool: WorkerPool<OpenPackInput, OpenedPack>) {}

  static async create(count: number, options: OpenerValidationOptions): Promise<WorkerPackOpener> {
    return new WorkerPackOpener(
      await WorkerPool.start({ script: workerScript('./packWorker.js', import.meta.url), workerData: options, size: count }),
    );
  }

  open(input: OpenPackInput): Promise<OpenedPack> {
    return this.pool.run(input);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
