import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { DaemonProcess, runCli, waitFor } from '../helpers/daemonProcess.js';
import { f0401Xml, invoiceNumber } from '../helpers/f0401.js';
import { tempDir } from '../helpers/tempDir.js';

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Every broken configuration, as an operator might write it, stops `turnkey start` with exit code 2
 * and an error naming the key (or the file) and the fix: never a stack trace, never a half-made data root.
 */
describe('hostile configuration', () => {
  const workspace = tempDir('turnkey-hostile-config-');
  let pristine: Config;

  beforeAll(() => {
    ensureBuilt();
    const init = runCli(['init', join(workspace.path, 'base')]);
    expect(init.code, init.stderr).toBe(0);
    pristine = JSON.parse(readFileSync(join(workspace.path, 'base', 'turnkey.config.json'), 'utf8')) as Config;
  }, 180_000);

  /** A copy of the sandbox data root made by init, its configuration changed by `edit`. */
  let serial = 0;
  function variant(edit: (config: Config, root: string) => void): string {
    const root = join(workspace.path, `v${++serial}`);
    const base = join(workspace.path, 'base');
    mkdirSync(root);
    for (const name of ['secrets', 'platform']) {
      mkdirSync(join(root, name));
      for (const file of readdirSync(join(base, name))) writeFileSync(join(root, name, file), readFileSync(join(base, name, file)));
    }
    const config = structuredClone(pristine);
    delete config.$schema;
    edit(config, root);
    writeFileSync(join(root, 'turnkey.config.json'), JSON.stringify(config, null, 2));
    return join(root, 'turnkey.config.json');
  }

  /** The data root set to a folder of someone's own files (a typo), the database where given. */
  function someoneElsesFolder(c: Config, root: string, database: string | null): void {
    mkdirSync(join(root, 'home'));
    writeFileSync(join(root, 'home', 'notes.txt'), 'mine');
    c.dataRoot = 'home';
    c.database = database;
  }

  const cases: Array<[string, RegExp, (config: Config, root: string) => void]> = [
    ['a JSON syntax error', /line \d+/, (_c, root) => writeFileSync(join(root, 'broken.json'), '{')],
    ['an unknown key', /intake\.stabilitySecond/, (c) => (c.intake.stabilitySecond = 1)],
    ['a wrong type', /intake\.batchSize/, (c) => (c.intake.batchSize = 'many')],
    [
      'a gateway over plain http',
      /platform\.gateway\.baseUrl: http:\/\/gateway\.example/,
      (c) => {
        c.platform.mode = 'remote';
        c.platform.gateway.baseUrl = 'http://gateway.example/gateway/api';
      },
    ],
    [
      'a missing .pfx',
      /platform\.certificate\.pfx: cannot read .*nothing\.pfx/,
      (c) => (c.platform.certificate.pfx = 'secrets/nothing.pfx'),
    ],
    [
      'a file that is not a .pfx',
      /platform\.certificate\.pfx: .*not-a\.pfx: the file is not a PKCS#12/,
      (c, root) => {
        writeFileSync(join(root, 'secrets', 'not-a.pfx'), 'hello');
        c.platform.certificate.pfx = 'secrets/not-a.pfx';
      },
    ],
    [
      'a wrong .pfx password',
      /platform\.certificate\.password: .*sandbox\.pfx: the password does not open/,
      (c) => {
        c.platform.certificate.password = 'wrong';
      },
    ],
    ['a missing password file', /platform\.transport\.password/, (c) => (c.platform.transport.password = { file: 'secrets/none' })],
    [
      'an unset password variable',
      /platform\.transport\.password/,
      (c) => (c.platform.transport.password = { env: 'TURNKEY_NO_SUCH_VAR' }),
    ],
    [
      'a schema folder that does not exist',
      /validation\.schemasDir: cannot read the schema folder/,
      (c) => {
        c.validation.schemasDir = 'no-schemas-here';
      },
    ],
    [
      'a schema folder without XSDs',
      /validation\.schemasDir: the schema folder .* holds no \.xsd file/,
      (c, root) => {
        mkdirSync(join(root, 'empty-schemas'));
        c.validation.schemasDir = 'empty-schemas';
      },
    ],
    ['a database that cannot be opened', /cannot open the database \/proc\/turnkey\.db/, (c) => (c.database = '/proc/turnkey.db')],
    [
      'a bad cron expression',
      /schedules\.\w+: "every day" is not a cron expression/,
      (c) => {
        c.schedules = { ...c.schedules, feeds: 'every day' };
      },
    ],
    [
      'some other folder, the database kept elsewhere',
      /is not empty and is not a turnkey data root/,
      (c, root) => someoneElsesFolder(c, root, join(workspace.path, 'base', 'turnkey.db')),
    ],
    [
      'a data root that is a file',
      /dataRoot: .* cannot be read as a folder \(ENOTDIR\)/,
      (c, root) => {
        writeFileSync(join(root, 'plain-file'), 'x');
        c.dataRoot = 'plain-file';
      },
    ],
    [
      'a data root that is some other folder',
      /is not empty and is not a turnkey data root/,
      (c, root) => someoneElsesFolder(c, root, null),
    ],
  ];

  it.each(cases)('%s: exit 2, one error naming the key, no stack', (_name, says, edit) => {
    let configFile = variant(edit);
    if (_name === 'a JSON syntax error') configFile = join(configFile, '..', 'broken.json');
    const result = runCli(['start', '--config', configFile], { env: { TURNKEY_NO_SUCH_VAR: '' } });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(2);
    expect(output).toMatch(says);
    expect(output, 'a stack trace').not.toMatch(/\n\s+at /);
    expect(output).not.toMatch(/\\n\s+at /); // nor one inside a JSON log line
    expect(result.stderr).toMatch(/^turnkey: /);
  });

  it('runs from a data root whose path has spaces, Chinese and a leading dash', async () => {
    const root = join(workspace.path, '-odd path', '電子發票 資料');
    const init = runCli(['init', root, '--no-sandbox']);
    expect(init.code, init.stderr).toBe(0);
    const configFile = join(root, 'turnkey.config.json');
    const daemon = DaemonProcess.start(configFile);
    try {
      await daemon.waitUntilRunning(join(root, 'turnkey.db'));
      const src = join(root, 'UpCast/B2SSTORAGE/F0401/SRC');
      writeFileSync(join(src, 'x.part'), f0401Xml({ number: invoiceNumber(1) }));
      renameSync(join(src, 'x.part'), join(src, '發票 1.xml'));
      await waitFor(() => (readdirSync(src).length === 0 ? true : null), 'the file taken');
      const status = runCli(['status', '--json', '--config', configFile]);
      expect((JSON.parse(status.stdout) as { counts: { total: number } }).counts.total).toBe(1);
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it('starts, and starts again, in an empty folder named by a configuration kept elsewhere', async () => {
    const root = join(workspace.path, 'fresh-empty');
    mkdirSync(root);
    const configFile = join(workspace.path, 'elsewhere.config.json');
    writeFileSync(configFile, JSON.stringify({ dataRoot: 'fresh-empty', platform: null }));
    for (let start = 0; start < 2; start++) {
      const daemon = DaemonProcess.start(configFile);
      try {
        await daemon.waitUntilRunning(join(root, 'turnkey.db'));
      } finally {
        await daemon.stop();
      }
    }
  }, 60_000);

  it('leaves a folder that is not a data root as it was', () => {
    const configFile = variant((c, root) => someoneElsesFolder(c, root, null));
    runCli(['start', '--config', configFile]);
    expect(readdirSync(join(configFile, '..', 'home'))).toEqual(['notes.txt']);
  });
});
