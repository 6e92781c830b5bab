import { afterEach, beforeEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder under the OS temp folder; `cleanup` removes it (call it in afterEach/afterAll). */
export function tempDir(prefix = 'turnkey-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * A fresh folder for each test of the enclosing `describe`, removed after it: call once in the
 * describe's body; the returned function gives the running test's folder.
 */
export function tempDirEachTest(prefix?: string): () => string {
  let current: ReturnType<typeof tempDir> | undefined;
  beforeEach(() => {
    current = tempDir(prefix);
  });
  afterEach(() => current?.cleanup());
  return () => current!.path;
}
