import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeStaleTemps, writeFileDurably } from '../../src/fs/writeFileDurably.js';
import { tempDir } from '../helpers/tempDir.js';

describe('removeStaleTemps', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.cleanup());

  it("removes the temporary files of processes that are gone, never a live process's or a finished file", () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir.path, `.result.xml.${gone}.tmp`), 'half');
    writeFileSync(join(dir.path, `.mine.xml.${process.pid}.tmp`), 'in flight');
    writeFileSync(join(dir.path, '.init.xml.1.tmp'), 'pid 1 is alive');
    writeFileDurably(dir.path, 'done.xml', Buffer.from('whole'));
    writeFileSync(join(dir.path, 'notes.tmp'), 'not ours');
    expect(removeStaleTemps(dir.path)).toBe(1);
    expect(readdirSync(dir.path).sort()).toEqual(['.init.xml.1.tmp', `.mine.xml.${process.pid}.tmp`, 'done.xml', 'notes.tmp'].sort());
    expect(removeStaleTemps(join(dir.path, 'missing'))).toBe(0);
  });
});
