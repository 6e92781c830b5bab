import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(PROJECT_ROOT, 'bin', 'turnkey');

const STAMP = join(PROJECT_ROOT, 'dist', '.build-stamp');
const LOCK = join(PROJECT_ROOT, '.vitest-tmp', 'build.lock');

/**
 * End-to-end tests run the compiled program (`node bin/turnkey`). This compiles src/ into dist/
 * when a source file is newer than the last build; test files running in parallel share one build.
 */
export function ensureBuilt(): void {
  if (isFresh()) return;
  mkdirSync(join(PROJECT_ROOT, '.vitest-tmp'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`another test process holds ${LOCK} for too long; remove it if stale`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (isFresh()) return;
    const started = new Date();
    // tsc writes dist/ even if another engineer's unfinished file has a type error; what matters
    // here is that the program's entry point exists afterwards.
    const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    // The configuration validators compiled ahead of time, as `npm run build` makes them.
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build-validators.mjs')], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) {
      throw new Error(`the build produced no dist/cli/main.js:\n${result.stdout}\n${result.stderr}`);
    }
    writeFileSync(STAMP, '');
    utimesSync(STAMP, started, started);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function isFresh(): boolean {
  if (!existsSync(STAMP) || !existsSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) return false;
  return newestMtime(join(PROJECT_ROOT, 'src')) <= statSync(STAMP).mtimeMs;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}
