import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFiles } from '../../src/cli/validate/readForValidation.js';
import { validateInThreads, type StartPool } from '../../src/cli/validate/validateInThreads.js';
import type { ValidationTaskResult } from '../../src/cli/validate/validationWorker.js';
import { Validator } from '../../src/validation/Validator.js';
import { WorkerPoolError } from '../../src/workers/WorkerPoolError.js';
import { tempDir } from '../helpers/tempDir.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const OPTIONS = { lang: 'en' as const, maxBytes: 5 * 1024 * 1024 };

describe("turnkey validate's shared work, when workers fail", () => {
  const dir = tempDir('turnkey-validate-shared-');
  let files: string[];
  let validator: Validator;
  /** What one thread alone says of the files: every path below must say the same, in the same order. */
  let alone: ValidationTaskResult['reports'];

  beforeAll(async () => {
    // 300 files (5 slices), valid and invalid ones mixed.
    const samples = ['valid', 'invalid'].flatMap((d) =>
      readdirSync(join(SAMPLES, d))
        .filter((f) => f.endsWith('.xml'))
        .map((f) => join(SAMPLES, d, f)),
    );
    files = Array.from({ length: 300 }, (_, i) => {
      const file = join(dir.path, `${String(i).padStart(3, '0')}.xml`);
      copyFileSync(samples[i % samples.length]!, file);
      return file;
    });
    validator = await Validator.create(OPTIONS);
    alone = validateFiles(validator, files, OPTIONS.maxBytes).reports;
    expect(alone.some((r) => r.valid) && alone.some((r) => !r.valid)).toBe(true);
  });
  afterAll(() => {
    validator.dispose();
    dir.cleanup();
  });

  it('validates every slice on this thread, in order, when asked for no workers', async () => {
    expect((await validateInThreads(files, OPTIONS, null)).reports).toEqual(alone);
  });

  it('stops at the first file that cannot be read, and names it, with workers or without', async () => {
    const missing = join(dir.path, 'gone.xml');
    const withGap = [...files.slice(0, 100), missing, ...files.slice(100)];
    const noWorkers: StartPool = () => Promise.reject(new WorkerPoolError('worker-start-failed', 'no threads today'));
    for (const startPool of [null, noWorkers]) {
      await expect(validateInThreads(withGap, OPTIONS, startPool)).rejects.toThrow(`cannot read ${missing}`);
    }
  });

  it('validates every slice on this thread when no worker starts', async () => {
    const noWorkers: StartPool = () => Promise.reject(new WorkerPoolError('worker-start-failed', 'no threads today'));
    expect((await validateInThreads(files, OPTIONS, noWorkers)).reports).toEqual(alone);
  });

  it('validates on this thread the slices a worker could not finish, keeping the order', async () => {
    const given: number[] = [];
    let closed = false;
    // One worker that fails every other slice it is given (it stopped, say) and validates the rest.
    const flaky: StartPool = () =>
      Promise.resolve({
        size: 1,
        run: async (slice: string[]) => {
          given.push(files.indexOf(slice[0]!));
          if (given.length % 2 === 1) throw new WorkerPoolError('worker-exited', 'a worker thread stopped');
          return { ...validateFiles(validator, slice, OPTIONS.maxBytes), schemaWarnings: [] };
        },
        close: async () => void (closed = true),
      });
    const { reports } = await validateInThreads(files, OPTIONS, flaky);
    expect(given.length).toBeGreaterThanOrEqual(2);
    expect(reports).toEqual(alone);
    expect(closed).toBe(true);
  });

  it('does not wait for workers still starting once every slice is taken', async () => {
    let aborted = false;
    // A pool that would never be ready: only the signal ends its start.
    const neverReady: StartPool = ({ signal }) =>
      new Promise((_, reject) =>
        signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new WorkerPoolError('pool-closed', 'closed while its workers started'));
        }),
      );
    expect((await validateInThreads(files, OPTIONS, neverReady)).reports).toEqual(alone);
    expect(aborted).toBe(true);
  });
});
