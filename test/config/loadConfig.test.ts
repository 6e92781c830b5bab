import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_PATH } from '../../src/config/configSchema.js';
import { defaultConfigFile, loadConfig, parseConfig } from '../../src/config/loadConfig.js';
import { locateConfig } from '../../src/config/locateConfig.js';
import { ConfigError } from '../../src/errors/index.js';
import { tempDir } from '../helpers/tempDir.js';

const FILE = '/srv/turnkey/turnkey.config.json';

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, FILE);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  const dirs: Array<() => void> = [];
  afterEach(() => dirs.splice(0).forEach((cleanup) => cleanup()));

  it('fills every key with the default written in the shipped JSON Schema', () => {
    const config = parseConfig('{}', FILE);
    const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_PATH, 'utf8')) as {
      properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }>;
    };
    for (const section of ['validation', 'intake', 'store', 'daemon'] as const) {
      for (const [key, spec] of Object.entries(schema.properties[section]!.properties!)) {
        expect((config[section] as unknown as Record<string, unknown>)[key], `${section}.${key}`).toEqual(spec.default);
      }
    }
    expect(config.validation.maxBytes).toBe(20 * 1024 * 1024);
    expect(config.logLevel).toBe('info');
  });

  it('resolves dataRoot, database and schemasDir relative to the configuration file', () => {
    const config = parseConfig(JSON.stringify({ dataRoot: 'data', validation: { schemasDir: '../xsd/v41' } }), FILE);
    expect(config.dataRoot).toBe('/srv/turnkey/data');
    expect(config.database).toBe('/srv/turnkey/data/turnkey.db');
    expect(config.validation.schemasDir).toBe('/srv/xsd/v41');
    expect(parseConfig(JSON.stringify({ database: '/var/lib/tk.db' }), FILE).database).toBe('/var/lib/tk.db');
  });

  it('rejects an unknown key, naming its path and the spelling it probably meant', () => {
    const err = errorOf(JSON.stringify({ intake: { batchsize: 10 } }));
    expect(err.code).toBe('config');
    expect(err.message).toContain('intake.batchsize: unknown key');
    expect(err.message).toContain('did you mean "batchSize"');
    expect(err.message).toContain(FILE);
  });

  it('rejects a value of the wrong type or out of range, naming the key and what was found', () => {
    const err = errorOf(JSON.stringify({ intake: { stabilitySeconds: '1', batchSize: 0 }, logLevel: 'loud' }));
    expect(err.message).toContain('intake.stabilitySeconds: must be number, found "1" (a string)');
    expect(err.message).toContain('intake.batchSize: must be >= 1, found 0');
    expect(err.message).toContain('logLevel: must be one of');
    expect(err.message).toContain('3 errors');
  });

  it('rejects an unknown message type and a repeated one in intake.messageTypes', () => {
    const err = errorOf(JSON.stringify({ intake: { messageTypes: ['F0401', 'C0401', 'F0401'] } }));
    expect(err.message).toContain('intake.messageTypes[1]: must be one of');
    expect(err.message).toContain('lists the same value twice');
  });

  it('reports a JSON syntax error with its line and column', () => {
    const err = errorOf('{\n  "logLevel": "info",\n}\n');
    expect(err.message).toMatch(/not valid JSON: .* at line 3, column 1/);
    expect(err.hint).toContain('trailing commas');
  });

  it('says how to create a configuration when the file does not exist', () => {
    const dir = tempDir();
    dirs.push(dir.cleanup);
    expect(() => loadConfig(join(dir.path, 'missing.json'))).toThrow(/no configuration file at/);
    try {
      loadConfig(join(dir.path, 'missing.json'));
    } catch (err) {
      expect((err as ConfigError).hint).toContain('turnkey init');
    }
  });

  it('gives init a default file that loads back unchanged', () => {
    const defaults = defaultConfigFile();
    const config = parseConfig(JSON.stringify(defaults), FILE);
    expect(config.intake).toEqual(defaults.intake);
    expect(config.store).toEqual(defaults.store);
  });
});

describe('locateConfig', () => {
  it('takes --config first, then TURNKEY_CONFIG, then ./turnkey-data/turnkey.config.json', () => {
    expect(locateConfig('a.json', { TURNKEY_CONFIG: '/b.json' }, '/w')).toEqual({ path: '/w/a.json', source: '--config' });
    expect(locateConfig(undefined, { TURNKEY_CONFIG: '/b.json' }, '/w')).toEqual({ path: '/b.json', source: 'TURNKEY_CONFIG' });
    expect(locateConfig(undefined, {}, '/w')).toEqual({ path: '/w/turnkey-data/turnkey.config.json', source: 'default' });
  });

  describe('senders', () => {
    const platform = (extra: Record<string, unknown>): string =>
      JSON.stringify({
        platform: {
          mode: 'remote',
          sftp: { host: 'sftp.example', port: 2222, knownHostsFile: 'known_hosts' },
          gateway: { baseUrl: 'https://gateway.example/api' },
          ...extra,
        },
      });
    const single = { partyId: '53718426', transport: { id: 't1', password: 'p' }, certificate: { pfx: 'a.pfx', password: 'q' } };

    it('reads a single-sender section as one sender for its own BAN, as configurations before senders were written', () => {
      expect(parseConfig(platform(single), FILE).platform!.senders).toEqual([
        {
          partyId: '53718426',
          routingId: '53718426',
          bans: ['53718426'],
          transport: { id: 't1', password: 'p' },
          certificate: { pfx: '/srv/turnkey/a.pfx', password: 'q' },
        },
      ]);
    });

    it('refuses a plain-http gateway off this machine (the password would travel in clear), naming the key', () => {
      const gateway = (baseUrl: string): string => platform({ ...single, gateway: { baseUrl } });
      expect(errorOf(gateway('http://gateway.example/api')).message).toMatch(
        /platform\.gateway\.baseUrl: http:\/\/gateway\.example: it would send the transport password in clear; use https/,
      );
      expect(errorOf(gateway('https://user:pw@gateway.example/api')).message).toMatch(/platform\.gateway\.baseUrl: holds a user name/);
      expect(errorOf(gateway('https://')).message).toMatch(/platform\.gateway\.baseUrl: is not a URL/);
      for (const local of [
        'http://127.0.0.1:8080/gateway/api',
        'http://localhost:1/api',
        'http://[::1]:8/api',
        'https://gateway.example/api',
      ])
        expect(parseConfig(gateway(local), FILE).platform!.gateway.baseUrl).toBe(local);
      const feed = (url: string): string => JSON.stringify({ maintenance: { feeds: [{ url, format: 'json' }] } });
      expect(errorOf(feed('http://feeds.example/a.json')).message).toMatch(
        /maintenance\.feeds\[0\]\.url: http:\/\/feeds\.example: a forged feed/,
      );
      expect(parseConfig(feed('http://127.0.0.1:9/a.json'), FILE).maintenance.feeds).toHaveLength(1);
      const withCa = parseConfig(platform({ ...single, gateway: { baseUrl: 'https://g.example/api', caFile: 'proxy-ca.pem' } }), FILE);
      expect(withCa.platform!.gateway.caFile).toBe('/srv/turnkey/proxy-ca.pem');
    });

    it("lets the sandbox's single sender send for every seller", () => {
      expect(parseConfig(platform({ ...single, mode: 'sandbox' }), FILE).platform!.senders[0]!.bans).toEqual(['*']);
    });

    it("gives each listed sender the section's transport account and certificate unless it names its own", () => {
      const config = parseConfig(
        platform({
          transport: single.transport,
          certificate: single.certificate,
          senders: [
            { partyId: '53718426', bans: ['53718426', '42651974'] },
            {
              partyId: '24634102',
              routingId: 'R2',
              transport: { id: 't2', password: { env: 'T2' } },
              certificate: { pfx: 'b.pfx', password: { file: 'b.pw' } },
            },
          ],
        }),
        FILE,
      );
      expect(config.platform!.senders).toEqual([
        {
          partyId: '53718426',
          routingId: '53718426',
          bans: ['53718426', '42651974'],
          transport: { id: 't1', password: 'p' },
          certificate: { pfx: '/srv/turnkey/a.pfx', password: 'q' },
        },
        {
          partyId: '24634102',
          routingId: 'R2',
          bans: ['24634102'],
          transport: { id: 't2', password: { env: 'T2' } },
          certificate: { pfx: '/srv/turnkey/b.pfx', password: { file: '/srv/turnkey/b.pw' } },
        },
      ]);
    });

    it.each([
      ['no sender at all', {}, /platform: names no sender/],
      [
        'a sender without a transport account',
        { senders: [{ partyId: '53718426', certificate: single.certificate }] },
        /platform\.senders\[0\]\.transport: missing/,
      ],
      [
        'two senders for one seller',
        {
          transport: single.transport,
          certificate: single.certificate,
          senders: [{ partyId: '53718426' }, { partyId: '24634102', bans: ['53718426'] }],
        },
        /senders\[1\]\.bans: 53718426 is covered by the sender 53718426 too/,
      ],
      [
        'one BAN as two senders',
        {
          transport: single.transport,
          certificate: single.certificate,
          senders: [{ partyId: '53718426' }, { partyId: '53718426', bans: ['24634102'] }],
        },
        /senders\[1\]\.partyId: 53718426 is already/,
      ],
      [
        "a sender's own BAN listed by another",
        {
          transport: single.transport,
          certificate: single.certificate,
          senders: [{ partyId: '24634102', bans: ['53718426'] }, { partyId: '53718426' }],
        },
        /senders\[1\]\.bans: 53718426 is covered by the sender 24634102 too/,
      ],
      [
        'two senders for every seller',
        {
          transport: single.transport,
          certificate: single.certificate,
          senders: [
            { partyId: '53718426', bans: ['*'] },
            { partyId: '24634102', bans: ['*'] },
          ],
        },
        /"\*" \(every seller\) is covered by the sender 53718426 too/,
      ],
      [
        'a partyId beside a senders list',
        { ...single, senders: [{ partyId: '24634102' }] },
        /platform\.partyId\/routingId: not used when platform\.senders/,
      ],
    ])('refuses %s, naming the key', (_what, extra, message) => {
      expect(errorOf(platform(extra)).message).toMatch(message);
    });
  });
});
