import { readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/index.js';
import { startFixture, type SimFixture } from './helpers/simFixture.js';

interface Answer {
  status: number;
  code: string | undefined;
}

/**
 * The `/_sim/` endpoints change the verdicts the daemon records: only the holder of the admin token
 * (an owner-only file) may call them, and never a web page in a local browser.
 */
describe('the simulator admin endpoints', () => {
  let fx: SimFixture;
  let token = '';

  beforeAll(async () => {
    fx = await startFixture();
    token = readFileSync(fx.sim.adminTokenFile, 'utf8').trim();
  });
  afterAll(async () => {
    await fx?.sim.stop(); // the one started again below
    await fx?.close();
  });

  /** A raw request (node:http sets no Origin or Sec-Fetch headers of its own), headers exactly as given. */
  function send(method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: fx.sim.gateway.port, path: '/_sim/faults', method, headers, setHost: !('host' in headers) },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, code: (JSON.parse(text) as { error?: { code: string } }).error?.code }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const json = { 'content-type': 'application/json' };
  const patch = JSON.stringify({ rates: { gateway500: 1 } });

  it('keeps the token in an owner-only file, the same across restarts', async () => {
    expect(token.length).toBeGreaterThanOrEqual(24);
    expect(statSync(fx.sim.adminTokenFile).mode & 0o077).toBe(0);
    const dataDir = fx.sim.dataDir;
    await fx.sim.stop();
    fx.sim = await startSimulator({ dataDir, processingWorkers: 0 });
    expect(readFileSync(fx.sim.adminTokenFile, 'utf8').trim()).toBe(token);
  });

  it('answers with the token', async () => {
    expect(await send('GET', auth())).toEqual({ status: 200, code: undefined });
  });

  it('refuses a request without the token, or with another', async () => {
    expect(await send('GET', {})).toEqual({ status: 401, code: 'admin-token' });
    expect(await send('PUT', { ...json, authorization: 'Bearer not-the-token' }, patch)).toEqual({ status: 401, code: 'admin-token' });
    expect(await send('GET', { authorization: token })).toEqual({ status: 401, code: 'admin-token' });
  });

  it('refuses what a web page could send: a cross-origin request, a rebound host name, a text/plain body', async () => {
    expect(await send('PUT', { ...auth(), ...json, origin: 'http://evil.example' }, patch)).toEqual({ status: 403, code: 'cross-origin' });
    expect(await send('GET', { ...auth(), 'sec-fetch-site': 'cross-site' })).toEqual({ status: 403, code: 'cross-origin' });
    expect(await send('GET', { ...auth(), host: `evil.example:${fx.sim.gateway.port}` })).toEqual({ status: 403, code: 'forbidden-host' });
    expect(await send('PUT', { ...auth(), 'content-type': 'text/plain' }, patch)).toEqual({ status: 415, code: 'content-type' });
    // None of these changed anything.
    expect(fx.sim.faults().settings.rates.gateway500 ?? 0).toBe(0);
  });
});
