import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectFile, type InspectedFile, type MessageValidator } from '../../src/intake/inspectFile.js';
import { refusedReport } from '../../src/validation/types.js';
import { tempDir } from '../helpers/tempDir.js';

describe('inspecting a claimed entry', () => {
  let dir: ReturnType<typeof tempDir>;
  let outside: ReturnType<typeof tempDir>;
  const seen: string[] = [];
  // Records what it was given: nothing of a link's target may ever reach it.
  const recording: MessageValidator = {
    validate: (bytes) => {
      seen.push(Buffer.from(bytes).toString('utf8'));
      return { ...refusedReport('x', []), valid: true };
    },
  };
  beforeEach(() => {
    dir = tempDir();
    outside = tempDir('turnkey-outside-');
    seen.length = 0;
  });
  afterEach(() => {
    dir.cleanup();
    outside.cleanup();
  });

  const inspect = (name: string): InspectedFile => inspectFile({ path: join(dir.path, name), name }, recording, 1 << 20);
  const refusal = (result: InspectedFile): { code: string; message: string } | null =>
    result.kind === 'read' && !result.report.valid ? (result.report.errors[0] as { code: string; message: string }) : null;

  it('reads a regular file', () => {
    writeFileSync(join(dir.path, 'a.xml'), '<a/>');
    const result = inspect('a.xml');
    expect(result).toMatchObject({ kind: 'read', size: 4 });
    expect(seen).toEqual(['<a/>']);
  });

  it('never follows a symbolic link: the link is refused as not-a-file and its target is never read', () => {
    writeFileSync(join(outside.path, 'secret.xml'), 'TOPSECRET');
    symlinkSync(join(outside.path, 'secret.xml'), join(dir.path, 'link.xml'));
    const result = inspect('link.xml');
    expect(refusal(result)).toMatchObject({ code: 'not-a-file', message: expect.stringContaining('symbolic link') });
    expect(seen).toEqual([]);
    expect(JSON.stringify(result)).not.toContain('TOPSECRET');
  });

  it.each([
    ['a dangling link', (path: string) => symlinkSync('/nonexistent/turnkey', path), 'symbolic link'],
    ['a link to a folder', (path: string) => symlinkSync(outside.path, path), 'symbolic link'],
    ['a folder', (path: string) => mkdirSync(path), 'folder'],
    ['a FIFO (no writer: reading it would block forever)', (path: string) => execFileSync('mkfifo', [path]), 'FIFO'],
  ])('refuses %s as not-a-file, at once', (_what, make, kind) => {
    make(join(dir.path, 'entry.xml'));
    const started = performance.now();
    expect(refusal(inspect('entry.xml'))).toMatchObject({ code: 'not-a-file', message: expect.stringContaining(kind) });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(seen).toEqual([]);
  });

  it('refuses a socket as not-a-file', async () => {
    const path = join(dir.path, 'sock.xml');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      expect(refusal(inspect('sock.xml'))).toMatchObject({ code: 'not-a-file', message: expect.stringContaining('socket') });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers unreadable (not a refusal) for an entry that is gone, for intake to decide', () => {
    expect(inspect('missing.xml')).toMatchObject({ kind: 'unreadable', code: 'ENOENT' });
  });
});
