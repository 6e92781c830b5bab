import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/Store.js';
import { ensureBuilt } from '../helpers/build.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tempDir.js';
import { writeTestConfig } from '../helpers/testConfig.js';

describe('turnkey tracks import (spawned)', () => {
  let dir: ReturnType<typeof tempDir>;
  let configFile: string;
  beforeAll(() => ensureBuilt(), 180_000);
  beforeEach(() => {
    dir = tempDir('turnkey-tracks-cli-');
    const written = writeTestConfig(dir.path);
    configFile = written.file;
    Store.open(written.config.database).close();
  });
  afterEach(() => dir.cleanup());

  const cli = (...args: string[]) => runCli([...args, '--config', configFile]);
  const list = (name: string, rows: string[]) => {
    const file = join(dir.path, name);
    writeFileSync(file, ['期別,發票類別,字軌,發票號碼起,發票號碼迄,本數', ...rows].join('\r\n'));
    return file;
  };

  it('shows what a list would record, records it once, and refuses an overlapping one without recording any of it', async () => {
    const file = list('allocations.csv', ['115/09~10,一般稅額計算,AB,12345600,12345699,2', '11510,07,CD,00000000,00000049,1']);
    const dry = await cli('tracks', 'import', file, '--ban', '24634102', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      recorded: false,
      added: [{ range: 'AB12345600–AB12345699' }, { range: 'CD00000000–CD00000049' }],
    });
    const shown = JSON.parse((await cli('tracks', '--period', '11510', '--json')).stdout);
    expect(shown.ranges).toEqual([]);

    const done = JSON.parse((await cli('tracks', 'import', file, '--ban', '24634102', '--json')).stdout);
    expect(done).toMatchObject({ recorded: true, added: [{ booklets: 2 }, { booklets: 1 }], known: [] });
    const again = JSON.parse((await cli('tracks', 'import', file, '--ban', '24634102', '--json')).stdout);
    expect(again).toMatchObject({ recorded: true, added: [], known: [{}, {}] });

    const other = list('other.csv', ['11510,07,EF,00000000,00000049,1', '11510,07,AB,12345650,12345749,2']);
    const refused = await cli('tracks', 'import', other, '--ban', '53718426');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('CONFLICT: 53718426 11510 AB12345650–AB12345749 overlaps AB12345600–AB12345699 of 24634102');
    expect(refused.stdout).toContain('nothing was recorded');
    const after = JSON.parse((await cli('tracks', '--period', '11510', '--json')).stdout);
    expect(after.ranges.map((r: { track: string }) => r.track)).toEqual(['AB', 'CD']);
  });

  it('refuses a list it cannot read with the line and what to write (exit 2)', async () => {
    const bad = list('bad.csv', ['11510,07,AB,12345600,12345620,1']);
    const result = await cli('tracks', 'import', bad, '--ban', '24634102');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('line 2: the range AB12345600–AB12345620 is not whole booklets of 50');
  });
});
