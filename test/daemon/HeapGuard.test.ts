import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { getHeapStatistics } from 'node:v8';
import { HeapGuard } from '../../src/daemon/HeapGuard.js';
import { ensureBuilt } from '../helpers/build.js';
import { PROJECT_ROOT } from '../helpers/cli.js';

describe('HeapGuard', () => {
  it('collects garbage without --expose-gc, through the inspector of its own thread', async () => {
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    const guard = new HeapGuard();
    expect(guard.method).toBe('inspector');
    const junk = { items: Array.from({ length: 300_000 }, (_, i) => ({ text: `garbage ${i}`.repeat(4) })) as unknown[] | null };
    expect(junk.items!.length).toBe(300_000);
    junk.items = null; // garbage now
    const before = getHeapStatistics().used_heap_size;
    const after = await guard.collectNow();
    guard.stop();
    expect(after).toBeLessThan(before - 20 * 1024 * 1024);
  });

  it('uses gc() when node runs with --expose-gc, and the inspector when node bin/turnkey runs without it', () => {
    ensureBuilt();
    const probe =
      `import('./dist/daemon/HeapGuard.js').then(({ HeapGuard }) => { const g = new HeapGuard(); console.log(g.method); ` + `g.stop(); })`;
    const run = (args: string[]) => execFileSync(process.execPath, [...args, '-e', probe], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
    expect(run(['--expose-gc'])).toBe('gc');
    expect(run([])).toBe('inspector');
  });
});
