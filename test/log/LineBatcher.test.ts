import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LineBatcher } from '../../src/log/LineBatcher.js';

function recordingSink(): { writes: string[]; write(text: string): void } {
  const writes: string[] = [];
  return { writes, write: (text) => void writes.push(text) };
}

describe('log line batching', () => {
  it('writes the pending lines as one string, in order, once enough are pending', () => {
    const sink = recordingSink();
    const batcher = new LineBatcher(sink, 200, 60_000);
    for (let i = 0; i < 9; i++) batcher.write(`{"n":${i},"pad":"${'x'.repeat(2)}"}\n`);
    expect(sink.writes).toEqual([]);
    for (let i = 9; i < 12; i++) batcher.write(`{"n":${i},"pad":"${'x'.repeat(2)}"}\n`);
    expect(sink.writes).toHaveLength(1);
    const lines = sink.writes[0]!.trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { n: number }).n);
    expect(lines).toEqual(Array.from({ length: lines.length }, (_, i) => i));
  });

  it('writes what is pending on flush, and on its own within the period', async () => {
    const sink = recordingSink();
    const batcher = new LineBatcher(sink, 8192, 30);
    batcher.write('a\n');
    let flushed = false;
    batcher.flush(() => (flushed = true));
    expect(flushed).toBe(true);
    expect(sink.writes).toEqual(['a\n']);
    batcher.write('b\n');
    await sleep(200);
    expect(sink.writes).toEqual(['a\n', 'b\n']);
  });

  it("writes the daemon logger's pending lines when the process exits without flushing", () => {
    // The compiled module, as the daemon runs it (the global setup builds dist/).
    const createLogger = fileURLToPath(new URL('../../dist/log/createLogger.js', import.meta.url));
    const script = `
      const { createLogger } = await import(${JSON.stringify(createLogger)});
      const logger = createLogger('info');
      for (let i = 0; i < 3; i++) logger.info({ event: 'line', i }, 'a line');
      process.exit(0);`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const events = child.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; i: number });
    expect(events.map((e) => e.i)).toEqual([0, 1, 2]);
  });
});
