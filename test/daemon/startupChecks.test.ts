import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataRootLock, LOCK_FILE_NAME } from '../../src/daemon/DataRootLock.js';
import { refuseForeignFolder } from '../../src/daemon/startupChecks.js';
import { tempDir } from '../helpers/tempDir.js';

describe('refuseForeignFolder', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  function folder(): string {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    return dir.path;
  }

  const configOf = (dataRoot: string) => ({ dataRoot, database: join(dataRoot, 'turnkey.db'), configFile: join(dataRoot, 'x.json') });

  it('takes a folder holding only the lock an interrupted init left (and its journal) as empty', () => {
    const dataRoot = folder();
    DataRootLock.acquire(dataRoot).release();
    writeFileSync(join(dataRoot, `${LOCK_FILE_NAME}-journal`), '');
    expect(() => refuseForeignFolder(configOf(dataRoot))).not.toThrow();
  });

  it('still refuses a folder with anything else in it', () => {
    const dataRoot = folder();
    DataRootLock.acquire(dataRoot).release();
    writeFileSync(join(dataRoot, 'notes.txt'), 'mine');
    expect(() => refuseForeignFolder(configOf(dataRoot))).toThrow(/is not empty and is not a turnkey data root/);
  });
});
