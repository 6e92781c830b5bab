import { ensureBuilt } from './helpers/build.js';

/**
 * End-to-end tests spawn `bin/turnkey`, which runs the compiled `dist/`: compile once before any
 * test so they never exercise stale code. The build stamp it leaves tells the test files' own
 * `ensureBuilt` that dist/ is fresh, so no test rebuilds dist/ while another one runs the daemon.
 */
export default function setup(): void {
  ensureBuilt();
}
