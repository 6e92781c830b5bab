import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectFiles, type MessageValidator } from '../../src/intake/inspectFile.js';
import { refusedReport } from '../../src/validation/types.js';
import { tempDir } from '../helpers/tempDir.js';

// A validator that accepts anything: this test is about claiming, not validation.
const anything: MessageValidator = { validate: () => ({ ...refusedReport('x', []), valid: true }) };

describe('claiming files where they are read', () => {
  let dir: ReturnType<typeof tempDir>;
  let src: string;
  let work: string;
  beforeEach(() => {
    dir = tempDir();
    src = join(dir.path, 'SRC');
    work = join(dir.path, 'WORK');
    mkdirSync(src);
    mkdirSync(work);
  });
  afterEach(() => dir.cleanup());

  it('renames each file from SRC into WORK before reading it, and answers "unclaimed" for one taken away', () => {
    writeFileSync(join(src, 'a.xml'), '<a/>');
    const files = [
      { path: join(work, 'c1~a.xml'), name: 'a.xml', claimFrom: join(src, 'a.xml') },
      { path: join(work, 'c2~gone.xml'), name: 'gone.xml', claimFrom: join(src, 'gone.xml') },
    ];
    const [claimed, gone] = inspectFiles(files, anything, 1024);
    expect(claimed).toMatchObject({ kind: 'read', size: 4 });
    expect(readFileSync(join(work, 'c1~a.xml'), 'utf8')).toBe('<a/>');
    expect(existsSync(join(src, 'a.xml'))).toBe(false);
    expect(gone).toMatchObject({ kind: 'unclaimed', code: 'ENOENT' });
    expect(existsSync(join(work, 'c2~gone.xml'))).toBe(false);
  });

  it('reads a file already in WORK (left by a crash) without claiming it', () => {
    writeFileSync(join(work, 'c3~b.xml'), '<b/>');
    const [left] = inspectFiles([{ path: join(work, 'c3~b.xml'), name: 'b.xml' }], anything, 1024);
    expect(left).toMatchObject({ kind: 'read', size: 4 });
  });
});
