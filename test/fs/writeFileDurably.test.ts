import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileDurably, removeStaleTemps, writeFileDurably } from '../../src/fs/writeFileDurably.js';
import { tempDirEachTest } from '../helpers/tempDir.js';

describe('removeStaleTemps', () => {
  const dir = tempDirEachTest();

  it("removes the temporary files of processes that are gone, never a live process's or a finished file", () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(dir(), `.result.xml.${gone}.tmp`), 'half');
    writeFileSync(join(dir(), `.mine.xml.${process.pid}.tmp`), 'in flight');
    writeFileSync(join(dir(), '.init.xml.1.tmp'), 'pid 1 is alive');
    writeFileDurably(dir(), 'done.xml', Buffer.from('whole'));
    writeFileSync(join(dir(), 'notes.tmp'), 'not ours');
    expect(removeStaleTemps(dir())).toBe(1);
    expect(readdirSync(dir()).sort()).toEqual(['.init.xml.1.tmp', `.mine.xml.${process.pid}.tmp`, 'done.xml', 'notes.tmp'].sort());
    expect(removeStaleTemps(join(dir(), 'missing'))).toBe(0);
  });
});

describe('createFileDurably', () => {
  const dir = tempDirEachTest();

  it('creates a missing file whole, with its mode, and never replaces one that exists', () => {
    expect(createFileDurably(dir(), 'token', Buffer.from('first\n'), { mode: 0o600 })).toBe(true);
    expect(createFileDurably(dir(), 'token', Buffer.from('second\n'), { mode: 0o600 })).toBe(false);
    expect(readFileSync(join(dir(), 'token'), 'utf8')).toBe('first\n');
    if (process.platform !== 'win32') expect(statSync(join(dir(), 'token')).mode & 0o777).toBe(0o600);
    // No temporary file is left behind, whichever way it went.
    expect(readdirSync(dir())).toEqual(['token']);
  });
});
