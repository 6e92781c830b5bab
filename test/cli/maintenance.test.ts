import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/Store.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { FAST, writeTestConfig } from '../helpers/testConfig.js';

const SEED_LETTER = join(import.meta.dirname, '../../../shared/seeds/000_e4c9f774e5117373.txt');

describe('turnkey maintenance import (spawned)', () => {
  let dir: ReturnType<typeof tempDir>;
  let config: string[];

  beforeEach(() => {
    dir = tempDir('turnkey-maintenance-cli-');
    const written = writeTestConfig(dir.path, FAST);
    Store.open(written.config.database).close(); // as `turnkey init` leaves it
    config = ['--config', written.file];
  });
  afterEach(() => dir.cleanup());

  it("reads the tax bureau's letter of 2023 and shows the window it announces, in Taiwan time", async () => {
    const result = await runCli(['maintenance', 'import', SEED_LETTER, '--dry-run', '--json', ...config]);
    expect(result.code, result.stderr).toBe(0);
    const windows = JSON.parse(result.stdout) as Array<{ from: string; to: string; reason: string }>;
    expect(windows).toEqual([{ from: '2023-12-22T18:00:00.000+08:00', to: '2023-12-24T18:00:00.000+08:00', reason: expect.any(String) }]);
    expect(windows[0]!.reason).toContain('暫停服務');
  });

  it('adds the window a notice on standard input announces, and lists it', async () => {
    // Ten years ahead (ROC 125 is 2036): a window already over is refused, and the suite runs on any day.
    const notice = '本平台定於125年12月18日(星期四)下午6時至19日(星期五)中午12時暫停服務，辦理年度系統升級。';
    const added = await runCli(['maintenance', 'import', '-', '--json', ...config], { input: notice });
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toEqual([
      {
        from: '2036-12-18T18:00:00.000+08:00',
        to: '2036-12-19T12:00:00.000+08:00',
        reason: expect.stringContaining('年度系統升級'),
        id: 1,
      },
    ]);
    const list = JSON.parse((await runCli(['maintenance', 'list', '--json', ...config])).stdout);
    expect(list).toMatchObject([{ id: 1, origin: 'cli', source: 'import -', from: '2036-12-18T18:00:00.000+08:00' }]);
  });

  it('refuses a notice it cannot read with certainty, quoting the sentence, and one whose windows are over', async () => {
    const unsure = await runCli(['maintenance', 'import', '-', ...config], { input: '本平台定於130年12月18日至19日暫停服務。' });
    expect(unsure.code).toBe(2);
    expect(unsure.stderr).toContain('130年12月18日至19日暫停服務');
    const past = await runCli(['maintenance', 'import', SEED_LETTER, ...config]);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('is over');
    expect(JSON.parse((await runCli(['maintenance', 'list', '--json', ...config])).stdout)).toEqual([]);
  });
});
