import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { ClaimedFile } from '../../src/intake/BatchProcessor.js';
import { claimNameFor } from '../../src/fs/claimNames.js';
import { IntakeLayout } from '../../src/intake/IntakeLayout.js';
import { Store } from '../../src/store/Store.js';
import { tempDir } from './tempDir.js';

/** A logger whose JSON lines are kept in memory, for asserting what was logged. */
export function memoryLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** A data root with the folder layout and a store, for intake tests. */
export function intakeFixture(types: string[] = ['F0401', 'F0501']): {
  root: string;
  layout: IntakeLayout;
  store: Store;
  cleanup: () => void;
  drop: (type: string, name: string, content: string | Buffer) => string;
  claim: (type: string, name: string) => ClaimedFile;
} {
  const dir = tempDir();
  const layout = new IntakeLayout(dir.path, types);
  layout.ensure();
  const store = Store.open(join(dir.path, 'turnkey.db'));
  const drop = (type: string, name: string, content: string | Buffer): string => {
    const folder = layout.folder(type)!;
    mkdirSync(folder.src, { recursive: true });
    const path = join(folder.src, name);
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
    return path;
  };
  // What IntakeService.claim does for one file.
  const claim = (type: string, name: string): ClaimedFile => {
    const folder = layout.folder(type)!;
    const claimName = claimNameFor(name);
    const workPath = join(folder.work, claimName);
    renameSync(join(folder.src, name), workPath);
    return { folder, claimName, originalName: name, workPath };
  };
  return {
    root: dir.path,
    layout,
    store,
    drop,
    claim,
    cleanup: () => {
      store.close();
      dir.cleanup();
    },
  };
}
