import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, flushLogger, type Logger } from '../../src/log/createLogger.js';
import { RotatingFile } from '../../src/log/RotatingFile.js';
import { tempDir } from '../helpers/tempDir.js';

function recordingSink(): { writes: string[]; write(text: string): void; text(): string } {
  const writes: string[] = [];
  return { writes, write: (text) => void writes.push(text), text: () => writes.join('') };
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

describe('the logger', () => {
  let dir: ReturnType<typeof tempDir>;
  let logPath: string;
  beforeEach(() => {
    dir = tempDir();
    logPath = join(dir.path, 'logs', 'turnkey.log');
  });
  afterEach(() => dir.cleanup());

  const logFiles = (): string[] => readdirSync(join(dir.path, 'logs')).sort();
  const fileText = (name: string): string => readFileSync(join(dir.path, 'logs', name), 'utf8');

  describe('the rotating file', () => {
    it('rotates by size, keeps `keep` files besides the current one, and every line in them is JSON', async () => {
      const stdout = recordingSink();
      const logger = createLogger('info', { file: { path: logPath, maxBytes: 20_000, keep: 3 }, pretty: false, stdout });
      for (let n = 0; n < 3000; n++) logger.info({ event: 'test-line', n, pad: 'x'.repeat(100) }, 'a line');
      await flushLogger(logger);

      expect(logFiles()).toEqual(['turnkey.1.log', 'turnkey.2.log', 'turnkey.3.log', 'turnkey.log']);
      // Oldest to newest: the numbers run on without a gap or a repeat, up to the last line logged.
      const kept = ['turnkey.3.log', 'turnkey.2.log', 'turnkey.1.log', 'turnkey.log'].flatMap((name) => {
        const text = fileText(name);
        expect(statSync(join(dir.path, 'logs', name)).size).toBeLessThanOrEqual(20_000);
        expect(text.endsWith('\n')).toBe(true);
        return lines(text).map((l) => (JSON.parse(l) as { n: number; event: string; level: string }).n);
      });
      expect(kept.length).toBeGreaterThan(200);
      expect(kept.at(-1)).toBe(2999);
      expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 3000 - kept.length + i));
      // Standard output got every line, as JSON.
      const out = lines(stdout.text()).map((l) => JSON.parse(l) as { n: number; level: string });
      expect(out).toHaveLength(3000);
      expect(out[0]).toMatchObject({ n: 0, level: 'info' });
      if (process.platform !== 'win32') {
        expect(statSync(logPath).mode & 0o777).toBe(0o600);
        expect(statSync(join(dir.path, 'logs')).mode & 0o777).toBe(0o700);
      }
    });

    it('keep 0: the file starts over when full', async () => {
      const logger = createLogger('info', { file: { path: logPath, maxBytes: 10_000, keep: 0 }, pretty: false, stdout: recordingSink() });
      for (let n = 0; n < 500; n++) logger.info({ event: 'test-line', n, pad: 'y'.repeat(100) }, 'a line');
      await flushLogger(logger);
      expect(logFiles()).toEqual(['turnkey.log']);
      const ns = lines(fileText('turnkey.log')).map((l) => (JSON.parse(l) as { n: number }).n);
      expect(ns.at(-1)).toBe(499);
    });

    it('removes numbered files a larger `keep` left behind', async () => {
      mkdirSync(join(dir.path, 'logs'));
      for (const n of [1, 2, 3, 4, 5]) writeFileSync(RotatingFile.rotatedPath(logPath, n), `{"old":${n}}\n`);
      const logger = createLogger('info', { file: { path: logPath, maxBytes: 5_000, keep: 2 }, pretty: false, stdout: recordingSink() });
      for (let n = 0; n < 200; n++) logger.info({ event: 'test-line', n, pad: 'z'.repeat(100) }, 'a line');
      await flushLogger(logger);
      expect(logFiles()).toEqual(['turnkey.1.log', 'turnkey.2.log', 'turnkey.log']);
      for (const name of logFiles()) for (const l of lines(fileText(name))) expect(JSON.parse(l)).toHaveProperty('n');
    });

    it('appends to the file a previous run left, starting a line cut short by a crash on a line of its own', async () => {
      mkdirSync(join(dir.path, 'logs'));
      writeFileSync(logPath, '{"level":"info","n":-2}\n{"level":"info","n":-1,"cut sh');
      const logger = createLogger('info', {
        file: { path: logPath, maxBytes: 1_000_000, keep: 1 },
        pretty: false,
        stdout: recordingSink(),
      });
      logger.info({ event: 'test-line', n: 0 }, 'after the crash');
      await flushLogger(logger);
      const all = lines(fileText('turnkey.log'));
      expect(all).toHaveLength(3);
      expect(JSON.parse(all[0]!)).toMatchObject({ n: -2 });
      expect(() => JSON.parse(all[1]!)).toThrow();
      expect(JSON.parse(all[2]!)).toMatchObject({ n: 0, event: 'test-line' });
    });

    it('names rotated files before the extension', () => {
      expect(RotatingFile.rotatedPath('/x/logs/turnkey.log', 2)).toBe('/x/logs/turnkey.2.log');
      expect(RotatingFile.rotatedPath('/x/logs/turnkey', 1)).toBe('/x/logs/turnkey.1');
    });

    it('a file that cannot be written costs its lines, never the daemon or standard output: reported once', async () => {
      writeFileSync(join(dir.path, 'not-a-folder'), '');
      const stdout = recordingSink();
      const path = join(dir.path, 'not-a-folder', 'turnkey.log');
      const logger = createLogger('info', { file: { path, maxBytes: 10_000, keep: 2 }, pretty: false, stdout });
      for (let n = 0; n < 100; n++) logger.info({ event: 'test-line', n }, 'a line');
      await flushLogger(logger);
      const out = lines(stdout.text()).map((l) => JSON.parse(l) as { event: string; level: string; path?: string });
      expect(out.filter((l) => l.event === 'log-file-failed')).toEqual([
        expect.objectContaining({ level: 'error', path, code: expect.stringMatching(/^E/) as unknown }),
      ]);
      expect(out.filter((l) => l.event === 'test-line')).toHaveLength(100);
    });

    it('tries a failed file again later and says how much it missed', () => {
      let now = 1_000_000;
      const reports: string[] = [];
      const path = join(dir.path, 'later', 'turnkey.log');
      writeFileSync(join(dir.path, 'later'), '');
      const file = new RotatingFile(
        { path, maxBytes: 10_000, keep: 1 },
        (event) => void reports.push(event),
        () => now,
      );
      file.write('{"n":1}\n');
      expect(reports).toEqual(['log-file-failed']);
      // The folder becomes usable; the file is not tried again before 30 s.
      dir.cleanup();
      mkdirSync(join(dir.path, 'later'), { recursive: true });
      file.write('{"n":2}\n');
      expect(reports).toEqual(['log-file-failed']);
      now += 30_000;
      file.write('{"n":3}\n');
      file.close();
      expect(reports).toEqual(['log-file-failed', 'log-file-resumed']);
      expect(readFileSync(path, 'utf8')).toBe('{"n":3}\n');
    });
  });

  describe('pretty output', () => {
    it('is one readable line per record, in Taiwan time, and the file keeps JSON', async () => {
      const stdout = recordingSink();
      const logger = createLogger('info', { file: { path: logPath, maxBytes: 100_000, keep: 1 }, pretty: true, colors: false, stdout });
      const before = Date.now();
      logger.info(
        { event: 'file-taken', file: 'two words.xml', messageKey: 'F0401AB1234567820250101', ms: 3, folder: { type: 'F0401' } },
        'taken',
      );
      logger.debug({ event: 'not-shown' }, 'below the level');
      await flushLogger(logger);
      const out = lines(stdout.text());
      expect(out).toHaveLength(1);
      const match = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})\+08:00 (INFO ) (.*)$/.exec(out[0]!);
      expect(match).not.toBeNull();
      expect(match![3]).toBe('file-taken taken  file="two words.xml" messageKey=F0401AB1234567820250101 ms=3 folder={"type":"F0401"}');
      // Taiwan time is UTC+8: read back as such, it is the time the line was logged.
      const at = Date.parse(`${match![1]!.replace(' ', 'T')}+08:00`);
      expect(at).toBeGreaterThanOrEqual(before - 5);
      expect(at).toBeLessThanOrEqual(Date.now() + 5);
      expect(JSON.parse(lines(fileText('turnkey.log'))[0]!)).toMatchObject({ event: 'file-taken', level: 'info', ms: 3 });
    });

    it('shows an error with its type, code and stack frames at error level, its message only below', async () => {
      const stdout = recordingSink();
      const logger = createLogger('info', { file: null, pretty: true, colors: false, stdout });
      const err = Object.assign(new Error('the share went away'), { code: 'EIO' });
      logger.error({ event: 'intake-failed', err }, 'intake stopped');
      logger.warn({ event: 'heartbeat-failed', err }, 'could not write the heartbeat');
      await flushLogger(logger);
      const out = stdout.text().split('\n');
      expect(out[0]).toMatch(/ ERROR intake-failed intake stopped$/);
      expect(out[1]).toBe('    Error [EIO]: the share went away');
      expect(out[2]).toMatch(/^ {6}at /);
      const warn = out.findIndex((l) => l.includes('WARN '));
      expect(out[warn + 1]).toBe('    Error [EIO]: the share went away');
      expect(out[warn + 2]).toBe('');
    });

    it('escapes control characters from the data (no terminal escapes from a file name) and colours only when asked', async () => {
      const plain = recordingSink();
      const coloured = recordingSink();
      for (const [stdout, colors] of [
        [plain, false],
        [coloured, true],
      ] as const) {
        const logger = createLogger('info', { file: null, pretty: true, colors, stdout });
        logger.warn({ event: 'file-refused', file: 'evil\u001b[2J\u202e.xml' }, 'refused');
        await flushLogger(logger);
      }
      expect(plain.text()).not.toContain('\u001b');
      expect(plain.text()).not.toContain('\u202e');
      expect(plain.text()).toContain('file="evil\\u001b[2J\\u202e.xml"');
      expect(coloured.text()).toContain('\u001b[33mWARN \u001b[0m');
      expect(coloured.text()).not.toContain('\u001b[2J');
    });
  });

  describe('secrets', () => {
    const loginPassword = 'Login-Pa55"word\\x';
    const pfxPassword = 'Pfx-S3cret-長い';
    const token = 'tok-9f8e7d6c5b4a';
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const basic = `Basic ${Buffer.from(`53718426:${loginPassword}`).toString('base64')}`;
    /** Every form a secret could take in a line: as it is, JSON-escaped, the Basic header. */
    const forbidden = [loginPassword, pfxPassword, token, pem, basic, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC']
      .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
      .concat([Buffer.from(pfxPassword).toString('base64')]);

    function logEverything(logger: Logger): void {
      logger.info({ event: 'config', password: loginPassword, loginPassword, pfxPassword, passphrase: pfxPassword, token }, 'flat');
      logger.info({
        event: 'config',
        platform: { transport: { id: '53718426', password: loginPassword }, certificate: { pfx: '/srv/a.pfx', password: pfxPassword } },
      });
      logger.info({ event: 'request', headers: { Authorization: basic, 'proxy-authorization': basic, cookie: token } });
      logger.info({ event: 'deep', a: { b: { c: { d: { e: { f: { g: { privateKey: pem, apiKey: token } } } } } } } });
      logger.info({ event: 'senders', senders: [{ partyId: '1', transport: { loginPassword } }, [{ clientSecret: token }]] });
      logger.info({ event: 'buffer', certificate: { pfx: Buffer.from(pfxPassword) } });
      logger.info({ event: 'top-level-key', key: pem });
      logger.child({ password: loginPassword, sender: { secret: token } }).info({ event: 'child' }, 'child line');
      const circular: Record<string, unknown> = { password: loginPassword };
      circular.self = circular;
      logger.info({ event: 'circular', circular });

      const withFields = Object.assign(new Error('login refused'), {
        code: 'login-refused',
        config: { auth: { username: '53718426', password: loginPassword }, headers: { authorization: basic } },
        options: { key: pem, passphrase: pfxPassword },
      });
      logger.error({ event: 'e-err', err: withFields }, 'failed');
      logger.error(withFields);
      logger.error({ event: 'e-error', error: withFields });
      logger.error({ event: 'e-other-key', failure: withFields, nested: { list: [withFields] } });
      const caused = new Error('upload failed', { cause: Object.assign(new Error('inner'), { password: loginPassword, pfx: pem }) });
      logger.error({ event: 'e-cause', err: caused });
      logger.error({ event: 'e-aggregate', err: new AggregateError([withFields, caused], 'both failed') });
      // No key names these: only the known values catch them.
      logger.error({ event: 'e-message', err: new Error(`SFTP authentication failed with password ${loginPassword}`) });
      logger.warn({ event: 'in-message' }, `the certificate password ${pfxPassword} was refused; token ${token}`);
    }

    function expectNoSecret(text: string): void {
      for (const secret of forbidden) expect(text, `found ${JSON.stringify(secret)}`).not.toContain(secret);
    }

    it('never appear in standard output or the file, in JSON lines: objects, bindings, errors at any depth', async () => {
      const stdout = recordingSink();
      const logger = createLogger('trace', {
        file: { path: logPath, maxBytes: 1_000_000, keep: 1 },
        pretty: false,
        stdout,
        secrets: new Set([loginPassword, pfxPassword, token]),
      });
      logEverything(logger);
      logger.info({ event: 'message-state', messageKey: 'F0401AB1234567820250101' }, 'message queued');
      await flushLogger(logger);
      const out = stdout.text();
      const file = readFileSync(logPath, 'utf8');
      expect(file).toBe(out);
      expectNoSecret(out);
      expectNoSecret(readFileSync(logPath).toString('latin1'));
      const records = lines(out).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records).toHaveLength(18);
      // What is not secret stays, so the lines are still worth reading.
      const byEvent = (event: string) => records.find((r) => r.event === event)!;
      expect(byEvent('message-state')).toMatchObject({ messageKey: 'F0401AB1234567820250101' });
      expect(byEvent('top-level-key')).toMatchObject({ key: '[redacted]' });
      expect(byEvent('config')).toMatchObject({ password: '[redacted]', loginPassword: '[redacted]', token: '[redacted]' });
      expect(byEvent('e-err')).toMatchObject({
        err: {
          type: 'Error',
          message: 'login refused',
          code: 'login-refused',
          config: { auth: { username: '53718426', password: '[redacted]' }, headers: { authorization: '[redacted]' } },
          options: { key: '[redacted]', passphrase: '[redacted]' },
        },
      });
      expect(byEvent('e-other-key')).toMatchObject({ failure: { type: 'Error', message: 'login refused' } });
      expect(byEvent('e-cause')).toMatchObject({ err: { message: 'upload failed: inner' } });
      expect(byEvent('circular')).toMatchObject({ circular: { password: '[redacted]', self: '[Circular]' } });
      expect(byEvent('e-message')).toMatchObject({ err: { message: 'SFTP authentication failed with password [redacted]' } });
      expect(records.find((r) => r.msg === 'child line')).toMatchObject({ password: '[redacted]', sender: { secret: '[redacted]' } });
    });

    it('never appear in pretty lines either', async () => {
      const stdout = recordingSink();
      const logger = createLogger('trace', {
        file: { path: logPath, maxBytes: 1_000_000, keep: 1 },
        pretty: true,
        colors: true,
        stdout,
        secrets: [loginPassword, pfxPassword, token],
      });
      logEverything(logger);
      await flushLogger(logger);
      expect(stdout.text()).toContain('[redacted]');
      expectNoSecret(stdout.text());
      expectNoSecret(readFileSync(logPath, 'utf8'));
    });

    it('are censored by key with a plain destination too (the form existing callers use), errors included', async () => {
      const sink = recordingSink();
      const logger = createLogger('info', sink);
      logger.info({ event: 'x', password: loginPassword, nested: { deeper: { passphrase: pfxPassword } } });
      logger.error({
        event: 'y',
        err: Object.assign(new Error('no'), { config: { password: loginPassword, headers: { cookie: token } } }),
      });
      await flushLogger(logger);
      expect(lines(sink.text())).toHaveLength(2);
      expectNoSecret(sink.text());
    });
  });
});
