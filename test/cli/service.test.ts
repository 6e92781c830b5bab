import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path, { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerService } from '../../src/cli/service/index.js';
import { locateWinsw, planWindows, writeServiceFiles } from '../../src/service/installService.js';
import { tempDir } from '../helpers/tempDir.js';
import { writeTestConfig } from '../helpers/testConfig.js';

/** Runs `turnkey service install …` in this process and returns what it printed on standard output. */
async function install(...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const program = new Command().exitOverride();
    registerService(program);
    await program.parseAsync(['node', 'turnkey', 'service', 'install', ...args]);
    return out;
  } finally {
    spy.mockRestore();
  }
}

const nodeWindowsInstalled = ((): boolean => {
  try {
    createRequire(import.meta.url).resolve('node-windows/package.json');
    return true;
  } catch {
    return false;
  }
})();

describe('turnkey service install (in-process)', () => {
  let dir: ReturnType<typeof tempDir>;
  let dataRoot: string;
  let configFile: string;
  let unitPath: string;

  beforeEach(() => {
    dir = tempDir('turnkey-service-cli-');
    dataRoot = join(dir.path, 'ERP data'); // a space, as on many servers
    mkdirSync(dataRoot);
    configFile = writeTestConfig(dataRoot).file;
    unitPath = join(dataRoot, 'service', 'turnkey.service');
  });
  afterEach(() => dir.cleanup());

  it('--dry-run prints the unit and the steps, and writes nothing', async () => {
    const out = await install('--systemd', '--dry-run', '--config', configFile);
    expect(out).toContain(`--- ${unitPath} (not written: --dry-run)`);
    expect(out).toContain(`ExecStart=${process.execPath} --expose-gc `);
    expect(out).toContain(`start --config "${configFile}"`);
    expect(out).toContain(`ReadWritePaths="${dataRoot}"`);
    expect(out).toContain('sudo systemctl daemon-reload && sudo systemctl enable --now turnkey');
    expect(existsSync(join(dataRoot, 'service'))).toBe(false);
  });

  it("writes the unit into the data root's service folder, and never overwrites it without --force", async () => {
    const out = await install('--systemd', '--config', configFile);
    expect(out).toContain(`Wrote ${unitPath}`);
    const unit = readFileSync(unitPath, 'utf8');
    expect(unit).toContain('TimeoutStopSec=35'); // the test configuration drains within 20 s
    expect(unit).toContain('User=turnkey');
    expect(statSync(unitPath).mode & 0o777).toBe(0o600);

    writeFileSync(unitPath, '# edited by the operator\n');
    await expect(install('--systemd', '--config', configFile)).rejects.toMatchObject({ code: 'service-file-exists' });
    expect(readFileSync(unitPath, 'utf8')).toBe('# edited by the operator\n');

    await install('--systemd', '--force', '--config', configFile);
    expect(readFileSync(unitPath, 'utf8')).toBe(unit);
  });

  it('--json prints the kind, the files with their content, and the steps; --out and --user are honoured', async () => {
    const outDir = join(dir.path, 'units');
    const result = JSON.parse(await install('--systemd', '--json', '--out', outDir, '--user', 'erp-turnkey', '--config', configFile));
    expect(result).toEqual({
      kind: 'systemd',
      files: [{ path: join(outDir, 'turnkey.service'), content: expect.stringContaining('User=erp-turnkey\n') }],
      steps: expect.arrayContaining([expect.stringContaining('sudo install -m 0644')]),
      dryRun: false,
    });
    expect(readFileSync(join(outDir, 'turnkey.service'), 'utf8')).toBe(result.files[0].content);
  });

  it.runIf(!nodeWindowsInstalled)('--windows without node-windows refuses with winsw-missing and the fix, and writes nothing', async () => {
    const failure = install('--windows', '--config', configFile);
    await expect(failure).rejects.toMatchObject({ code: 'winsw-missing', hint: expect.stringContaining('npm install') });
    expect(existsSync(join(dataRoot, 'service'))).toBe(false);
  });

  it.runIf(nodeWindowsInstalled)('--windows copies WinSW from node-windows beside the XML', async () => {
    await install('--windows', '--config', configFile);
    const exe = join(dataRoot, 'service', 'turnkey-service.exe');
    expect(readFileSync(exe)).toEqual(readFileSync(locateWinsw().exe));
    expect(readFileSync(join(dataRoot, 'service', 'turnkey-service.xml'), 'utf8')).toMatch(/^<service>/);
  });

  it('--windows --dry-run --json shows the XML and the executable to copy, whether or not WinSW is there', async () => {
    const result = JSON.parse(await install('--windows', '--dry-run', '--json', '--config', configFile));
    expect(result.kind).toBe('windows');
    expect(result.dryRun).toBe(true);
    expect(result.files.map((f: { path: string }) => f.path)).toEqual([
      join(dataRoot, 'service', 'turnkey-service.xml'),
      join(dataRoot, 'service', 'turnkey-service.exe'),
      join(dataRoot, 'service', 'turnkey-service.exe.config'),
    ]);
    expect(result.files[0].content).toContain('<stopparentprocessfirst>true</stopparentprocessfirst>');
    expect(result.files[1].copiedFrom === null).toBe(!nodeWindowsInstalled);
    expect(existsSync(join(dataRoot, 'service'))).toBe(false);
  });

  it('refuses neither or both of --systemd and --windows, and --user with --windows', async () => {
    await expect(install('--config', configFile)).rejects.toMatchObject({ code: 'usage' });
    await expect(install('--systemd', '--windows', '--config', configFile)).rejects.toMatchObject({ code: 'usage' });
    await expect(install('--windows', '--user', 'svc', '--config', configFile)).rejects.toMatchObject({ code: 'usage' });
  });

  it('copies WinSW and its .NET configuration beside the XML from an installed node-windows (a stand-in package)', () => {
    const pkg = join(dir.path, 'node_modules', 'node-windows');
    mkdirSync(join(pkg, 'bin', 'winsw'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"node-windows","version":"0.1.14"}');
    writeFileSync(join(pkg, 'bin', 'winsw', 'winsw.exe'), 'MZ stand-in');
    writeFileSync(join(pkg, 'bin', 'winsw', 'winsw.exe.config'), '<configuration/>');
    const winsw = locateWinsw((id) => createRequire(join(dir.path, 'index.js')).resolve(id));
    const config = { ...writeTestConfig(dataRoot).config };
    const plan = planWindows(
      { config, nodePath: process.execPath, nodeFlags: ['--expose-gc'], binPath: '/opt/turnkey/bin/turnkey' },
      winsw,
      path,
    );
    writeServiceFiles(plan, { force: false });
    const out = join(dataRoot, 'service');
    expect(readFileSync(join(out, 'turnkey-service.exe'), 'utf8')).toBe('MZ stand-in');
    expect(readFileSync(join(out, 'turnkey-service.exe.config'), 'utf8')).toBe('<configuration/>');
    expect(readFileSync(join(out, 'turnkey-service.xml'), 'utf8')).toBe(plan.files[0]!.content);
    expect(() => writeServiceFiles(plan, { force: false })).toThrow(expect.objectContaining({ code: 'service-file-exists' }));

    rmSync(join(pkg, 'bin', 'winsw', 'winsw.exe')); // the package without its executable
    expect(() => locateWinsw((id) => createRequire(join(dir.path, 'index.js')).resolve(id))).toThrow(
      expect.objectContaining({ code: 'winsw-missing' }),
    );
  });
});
