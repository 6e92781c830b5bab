import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * End-to-end tests spawn `bin/turnkey`, which runs the compiled `dist/`: compile once before any
 * test so they never exercise stale code.
 */
export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
}
