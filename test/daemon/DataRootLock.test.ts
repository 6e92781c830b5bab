import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataRootLock, DataRootLockedError } from '../../src/daemon/DataRootLock.js';
import { ensureBuilt, PROJECT_ROOT } from '../helpers/build.js';
import { tempDir } from '../helpers/tempDir.js';

describe('DataRootLock', () => {
  beforeAll(() => ensureBuilt(), 180_000);
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('refuses a second holder in the same process and frees the root on release', () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const first = DataRootLock.acquire(dir.path);
    expect(() => DataRootLock.acquire(dir.path, () => 'pid 1 on h')).toThrowError(DataRootLockedError);
    try {
      DataRootLock.acquire(dir.path, () => 'pid 1 on h');
    } catch (err) {
      expect((err as DataRootLockedError).code).toBe('data-root-locked');
      expect((err as DataRootLockedError).message).toContain('(pid 1 on h)');
    }
    first.release();
    DataRootLock.acquire(dir.path).release();
  });

  it('is held by another process until that process is killed with SIGKILL, then free', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    // A real other process holding the lock through the compiled module.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { DataRootLock } = await import(${JSON.stringify(pathToFileURL(join(PROJECT_ROOT, 'dist/daemon/DataRootLock.js')).href)});
         DataRootLock.acquire(${JSON.stringify(dir.path)}); process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    expect(() => DataRootLock.acquire(dir.path)).toThrowError(DataRootLockedError);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    DataRootLock.acquire(dir.path).release();
  });
});
