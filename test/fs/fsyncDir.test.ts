import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirDurably, mkdirReturningParents } from '../../src/fs/fsyncDir.js';
import { tempDir } from '../helpers/tempDir.js';

// That each new folder's parent is fsync'd is seen in a trace of the daemon: test/e2e/durable-moves.test.ts.
describe('mkdirDurably', () => {
  let dir: ReturnType<typeof tempDir>;
  afterEach(() => dir.cleanup());

  it('creates a folder and every missing one above it, and says so once', () => {
    dir = tempDir('turnkey-mkdir-');
    const deep = join(dir.path, 'DownCast', 'B2SSTORAGE', 'F0401', '20261208');
    expect(mkdirDurably(deep)).toBe(true);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(mkdirDurably(deep)).toBe(false);
  });

  it('creates several folders at once, and says nothing was created when all are there', () => {
    dir = tempDir('turnkey-mkdir-');
    const type = join(dir.path, 'UpCast', 'B2SSTORAGE', 'F0401');
    const folders = ['SRC', 'WORK', 'BAK', 'ERR'].map((name) => join(type, name));
    expect(mkdirDurably(...folders)).toBe(true);
    for (const folder of folders) expect(statSync(folder).isDirectory()).toBe(true);
    expect(mkdirDurably(...folders)).toBe(false);
  });

  it('names the parent of each folder it creates, and none when all are there', () => {
    dir = tempDir('turnkey-mkdir-');
    const bak = join(dir.path, 'F0401', 'BAK');
    expect([...mkdirReturningParents(join(bak, '20261208'))]).toEqual([dir.path, join(dir.path, 'F0401'), bak]);
    expect([...mkdirReturningParents(join(bak, '20261209'))]).toEqual([bak]);
    expect([...mkdirReturningParents(join(bak, '20261209'))]).toEqual([]);
  });

  it('keeps the parents of the folders it made before one that fails, for the caller to fsync', () => {
    dir = tempDir('turnkey-mkdir-');
    const type = join(dir.path, 'UpCast', 'F0401');
    const parents = new Set<string>();
    mkdirReturningParents(join(type, 'SRC'), parents);
    writeFileSync(join(type, 'BAK'), 'a file where a folder should be');
    expect(() => mkdirReturningParents(join(type, 'BAK', '20261208'), parents)).toThrow(/ENOTDIR|EEXIST/);
    expect(() => mkdirReturningParents(join(type, 'BAK'), parents)).toThrow(/EEXIST/);
    expect([...parents]).toEqual([dir.path, join(dir.path, 'UpCast'), type]);
    expect(() => mkdirDurably(join(type, 'WORK'), join(type, 'BAK'))).toThrow(/EEXIST/);
    expect(statSync(join(type, 'WORK')).isDirectory()).toBe(true);
  });

  it('creates only what is missing under a folder that is there', () => {
    dir = tempDir('turnkey-mkdir-');
    mkdirSync(join(dir.path, 'DownCast'));
    expect(mkdirDurably(join(dir.path, 'DownCast', 'day'))).toBe(true);
    expect(existsSync(join(dir.path, 'DownCast', 'day'))).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('refuses a path through a file', () => {
    dir = tempDir('turnkey-mkdir-');
    expect(() => mkdirDurably(join(import.meta.filename, 'x'))).toThrow(/ENOTDIR|EEXIST/);
  });
});
