import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The compiled script of a worker whose module sits beside the caller (`name` relative to
 * `callerUrl`). Under the test runner the project's modules load from `src/` as TypeScript, which a
 * worker thread cannot run; the tests' global set-up compiles the project first, so the worker runs
 * the same code from `dist/`.
 */
export function workerScript(name: string, callerUrl: string): URL {
  const beside = new URL(name, callerUrl);
  const path = fileURLToPath(beside);
  if (existsSync(path)) return beside;
  const marker = `${sep}src${sep}`;
  const at = path.lastIndexOf(marker);
  const compiled = at === -1 ? null : `${path.slice(0, at)}${sep}dist${sep}${path.slice(at + marker.length)}`;
  if (compiled !== null && existsSync(compiled)) return pathToFileURL(compiled);
  throw new Error(`the worker script is missing (${path}); build the project first (npm run build)`);
}
