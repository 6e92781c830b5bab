import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFlagsFromShebang, planSystemd, readNodeFlags, turnkeyBinPath, type ServiceConfig } from '../../src/service/installService.js';
import { execWord, systemdUnit, type SystemdUnitInput } from '../../src/service/systemdUnit.js';
import { tempDir } from '../helpers/tempDir.js';

const BASE: SystemdUnitInput = {
  nodePath: '/usr/bin/node',
  nodeFlags: ['--expose-gc'],
  binPath: '/opt/turnkey/bin/turnkey',
  configFile: '/srv/turnkey/turnkey.config.json',
  dataRoot: '/srv/turnkey',
  user: 'turnkey',
  group: null,
  drainTimeoutSeconds: 30,
  description: 'turnkey: sends e-invoices to the MOF E-Invoice Platform',
};

/** The unit's keys per section, comments left out (a key may repeat). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      sections.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    section!.set(key, [...(section!.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

function service(input: Partial<SystemdUnitInput> = {}): Map<string, string[]> {
  return parseUnit(systemdUnit({ ...BASE, ...input })).get('Service')!;
}

function key(input: Partial<SystemdUnitInput>, name: string): string | undefined {
  return service(input).get(name)?.[0];
}

/** How systemd splits ExecStart (quotes, C escapes, %% and $$), enough to read back what execWord writes. */
function splitExecStart(line: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) {
    const raw = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!;
    words.push(raw.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return words;
}

describe('the systemd unit', () => {
  it('runs the daemon as an exec service, restarted when it fails, stopped by SIGTERM to the daemon alone', () => {
    const s = service();
    expect(s.get('Type')).toEqual(['exec']);
    expect(s.get('Restart')).toEqual(['on-failure']);
    expect(Number(s.get('RestartSec')![0])).toBeGreaterThan(0);
    expect(s.get('KillSignal')).toEqual(['SIGTERM']);
    expect(s.get('KillMode')).toEqual(['mixed']);
    // Two malloc arenas and large buffers mapped apart: a lower resident size for the same work.
    expect(s.get('Environment')).toEqual(['NODE_ENV=production', 'MALLOC_ARENA_MAX=2', 'MALLOC_MMAP_THRESHOLD_=131072']);
    expect(s.get('UMask')).toEqual(['0077']);
    expect(s.get('WorkingDirectory')).toEqual(['/srv/turnkey']);
    expect(parseUnit(systemdUnit(BASE)).get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('waits longer than the drain before systemd kills the daemon', () => {
    for (const drain of [30, 120, 2.5]) {
      expect(Number(key({ drainTimeoutSeconds: drain }, 'TimeoutStopSec'))).toBeGreaterThan(drain);
    }
    expect(key({ drainTimeoutSeconds: 30 }, 'TimeoutStopSec')).toBe('45');
  });

  it('runs as the dedicated user, in the configured group when there is one', () => {
    expect(key({}, 'User')).toBe('turnkey');
    expect(key({}, 'Group')).toBeUndefined();
    expect(key({ user: 'erp-turnkey', group: 'einvoice' }, 'User')).toBe('erp-turnkey');
    expect(key({ group: 'einvoice' }, 'Group')).toBe('einvoice');
  });

  it('makes the file system read-only but for the data root and the folders outside it that the daemon writes', () => {
    expect(key({}, 'ProtectSystem')).toBe('strict');
    expect(key({}, 'ReadWritePaths')).toBe('/srv/turnkey');
    expect(key({ writablePaths: ['/var/lib/turnkey-db', '/srv/turnkey'] }, 'ReadWritePaths')).toBe('/srv/turnkey /var/lib/turnkey-db');
    expect(key({ dataRoot: '/srv/ERP data', configFile: '/srv/ERP data/turnkey.config.json' }, 'ReadWritePaths')).toBe('"/srv/ERP data"');
  });

  it('hardens what fits a networked daemon, and never sets MemoryDenyWriteExecute (V8 and WebAssembly need W+X)', () => {
    const s = service();
    for (const [k, v] of [
      ['NoNewPrivileges', 'yes'],
      ['PrivateTmp', 'yes'],
      ['ProtectHome', 'yes'],
      ['ProtectKernelTunables', 'yes'],
      ['ProtectKernelModules', 'yes'],
      ['ProtectControlGroups', 'yes'],
      ['LockPersonality', 'yes'],
      ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX'],
      ['CapabilityBoundingSet', ''],
    ]) {
      expect(s.get(k!), k).toEqual([v]);
    }
    expect(s.has('MemoryDenyWriteExecute')).toBe(false);
    // The daemon sets the setgid bit on the ERP's folders when `group` is configured.
    expect(s.has('RestrictSUIDSGID')).toBe(false);
    expect(systemdUnit(BASE)).toMatch(/# Not set on purpose: MemoryDenyWriteExecute \(V8 and WebAssembly/);
  });

  it('makes home folders read-only instead of hiding them when node, turnkey or the data root is in one', () => {
    expect(key({ nodePath: '/home/erp/.nvm/versions/node/v20.19.0/bin/node' }, 'ProtectHome')).toBe('read-only');
    expect(key({ dataRoot: '/root/turnkey-data' }, 'ProtectHome')).toBe('read-only');
    expect(key({ readPaths: ['/home/erp/certs/merchant.pfx'] }, 'ProtectHome')).toBe('read-only');
  });

  it('leaves /tmp shared when the data root is there (PrivateTmp would hide it)', () => {
    expect(key({}, 'PrivateTmp')).toBe('yes');
    expect(service({ dataRoot: '/tmp/trial', configFile: '/tmp/trial/turnkey.config.json' }).has('PrivateTmp')).toBe(false);
    expect(service({ writablePaths: ['/var/tmp/turnkey-db'] }).has('PrivateTmp')).toBe(false);
  });

  it("starts node with the flags of bin/turnkey's shebang, which `node bin/turnkey` alone would not get", () => {
    const flags = readNodeFlags(turnkeyBinPath());
    expect(flags).toEqual(['--expose-gc']);
    const shebang = readFileSync(turnkeyBinPath(), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${flags.join(' ')}`);
    expect(key({ nodeFlags: flags }, 'ExecStart')).toBe(
      '/usr/bin/node --expose-gc /opt/turnkey/bin/turnkey start --config /srv/turnkey/turnkey.config.json',
    );
  });

  it('reads the flags from any shebang that runs node, and refuses one that does not', () => {
    expect(nodeFlagsFromShebang('#!/usr/bin/env -S node --expose-gc --max-old-space-size=4096')).toEqual([
      '--expose-gc',
      '--max-old-space-size=4096',
    ]);
    expect(nodeFlagsFromShebang('#!/usr/bin/env node')).toEqual([]);
    expect(nodeFlagsFromShebang('#!/usr/local/bin/node --expose-gc')).toEqual(['--expose-gc']);
    expect(() => nodeFlagsFromShebang('#!/bin/sh')).toThrow(expect.objectContaining({ code: 'service-shebang' }));
    expect(() => nodeFlagsFromShebang('// no shebang')).toThrow(expect.objectContaining({ code: 'service-shebang' }));
  });

  it('quotes a configuration path with spaces, quotes, % and $ so that systemd reads it back unchanged', () => {
    const configFile = '/srv/ERP data/50% "sure"/$HOME\\x/turnkey.config.json';
    const line = key({ configFile }, 'ExecStart')!;
    expect(line).toBe(
      '/usr/bin/node --expose-gc /opt/turnkey/bin/turnkey start --config "/srv/ERP data/50%% \\"sure\\"/$$HOME\\\\x/turnkey.config.json"',
    );
    expect(splitExecStart(line)).toEqual(['/usr/bin/node', '--expose-gc', '/opt/turnkey/bin/turnkey', 'start', '--config', configFile]);
    expect(execWord('/srv/ERP data/turnkey.config.json')).toBe('"/srv/ERP data/turnkey.config.json"');
    expect(key({ dataRoot: '/srv/ERP data' }, 'WorkingDirectory')).toBe('/srv/ERP data');
  });

  it('refuses a path with a newline (it would start another key) and a user name systemd does not take', () => {
    expect(() => systemdUnit({ ...BASE, configFile: '/srv/a\nExecStartPre=/bin/rm' })).toThrow(
      expect.objectContaining({ code: 'service-path' }),
    );
    expect(() => systemdUnit({ ...BASE, user: 'tk user' })).toThrow(expect.objectContaining({ code: 'service-name' }));
    expect(() => systemdUnit({ ...BASE, dataRoot: 'relative/data' })).toThrow(expect.objectContaining({ code: 'service-path' }));
  });

  it("for an install: writable where the configuration keeps the database, secrets' variables named, files in home read-only", () => {
    const config = {
      configFile: '/srv/turnkey/turnkey.config.json',
      dataRoot: '/srv/turnkey',
      database: '/var/lib/turnkey-db/turnkey.db',
      group: 'einvoice',
      daemon: { heartbeatSeconds: 5, drainTimeoutSeconds: 30 },
      validation: { schemasDir: null },
      maintenance: { feeds: [] },
      platform: {
        mode: 'remote',
        sftp: { knownHostsFile: '/srv/turnkey/known_hosts' },
        simulator: { dataDir: '/srv/turnkey/sim' },
        senders: [
          {
            transport: { id: 't', password: { env: 'TURNKEY_TRANSPORT_PASSWORD' } },
            certificate: { pfx: '/home/erp/merchant.pfx', password: { file: '/srv/turnkey/secrets/pfx.password' } },
          },
        ],
      },
    } as unknown as ServiceConfig;
    const plan = planSystemd(
      { config, nodePath: '/usr/bin/node', nodeFlags: ['--expose-gc'], binPath: '/opt/turnkey/bin/turnkey' },
      'turnkey',
    );
    expect(plan.files.map((f) => f.path)).toEqual(['/srv/turnkey/service/turnkey.service']);
    const s = parseUnit(plan.files[0]!.content!).get('Service')!;
    expect(s.get('ReadWritePaths')).toEqual(['/srv/turnkey /var/lib/turnkey-db']);
    expect(s.get('ProtectHome')).toEqual(['read-only']);
    expect(s.get('Group')).toEqual(['einvoice']);
    expect(plan.files[0]!.content).toContain('# The configuration reads secrets from TURNKEY_TRANSPORT_PASSWORD');
    const steps = plan.steps.join('\n');
    expect(steps).toContain('sudo usermod -aG einvoice turnkey');
    expect(steps).toContain('sudo chown -R turnkey /srv/turnkey /var/lib/turnkey-db');
    expect(steps).toContain('EnvironmentFile=/etc/turnkey/turnkey.env');
    expect(steps).toContain('sudo install -m 0644 /srv/turnkey/service/turnkey.service /etc/systemd/system/turnkey.service');
  });

  describe('systemd-analyze verify', () => {
    // ProtectProc= is the newest key the unit writes (systemd 247); an older systemd only warns about it.
    const version = Number(/^systemd (\d+)/.exec(spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 0);
    const skip = version === 0 ? 'systemd-analyze is not installed' : version < 247 ? `systemd ${version} is older than 247` : null;
    if (skip) console.log(`systemd-analyze verify skips: ${skip}`);
    let dir: ReturnType<typeof tempDir> | undefined;
    afterEach(() => dir?.cleanup());

    it.skipIf(skip !== null)('accepts the unit, with a data root and a configuration path that hold spaces', () => {
      dir = tempDir('turnkey-unit-');
      const dataRoot = join(dir.path, 'ERP data');
      mkdirSync(dataRoot);
      const binPath = turnkeyBinPath();
      const unit = systemdUnit({
        ...BASE,
        nodePath: process.execPath,
        nodeFlags: readNodeFlags(binPath),
        binPath,
        dataRoot,
        configFile: join(dataRoot, 'turnkey 50%.config.json'),
        group: 'einvoice',
        secretEnv: ['TURNKEY_TRANSPORT_PASSWORD'],
      });
      const file = join(dir.path, 'turnkey.service');
      writeFileSync(file, unit);
      const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
      // Unknown keys and bad values are only warnings: any line on stderr fails the test.
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
    });
  });
});
