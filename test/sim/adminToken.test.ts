import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOrCreateAdminToken } from '../../src/sim/gateway/adminToken.js';
import { tempDirEachTest } from '../helpers/tempDir.js';

const COMPILED = pathToFileURL(join(import.meta.dirname, '../../dist/sim/gateway/adminToken.js')).href;

/**
 * A process that loads the simulator's token code, says `ready`, and calls loadOrCreateAdminToken
 * the moment a line comes on its stdin; `token` resolves to the token it answers to.
 */
function startChild(file: string): { ready: Promise<void>; go: () => void; token: Promise<string> } {
  const script =
    `import(${JSON.stringify(COMPILED)}).then((m) => {` +
    `process.stdin.once('data', () => {` +
    `process.stdout.write(m.loadOrCreateAdminToken(${JSON.stringify(file)})); process.stdin.destroy(); });` +
    `process.stdout.write('ready\\n'); })`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    child.on('close', (code) => reject(new Error(`the child ended (code ${code}) before it was ready`)));
  });
  child.stdin.on('error', () => {}); // a child that died already: its exit is the error reported
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  const token = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.slice('ready\n'.length)) : reject(new Error(`exit ${code}`))));
  });
  return { ready, go: () => child.stdin.write('go\n'), token };
}

describe('the simulator admin token', () => {
  const dir = tempDirEachTest();

  it('is made owner-only on the first start and the same token after', () => {
    const file = join(dir(), 'secrets', 'sim-admin.token');
    const token = loadOrCreateAdminToken(file);
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(readFileSync(file, 'utf8')).toBe(`${token}\n`);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateAdminToken(file)).toBe(token);
  });

  it('is one token when several simulators start on a fresh folder at once', async () => {
    const file = join(dir(), 'secrets', 'sim-admin.token');
    // All loaded first, then told at once: their checks for the file and their writes overlap.
    const children = Array.from({ length: 8 }, () => startChild(file));
    await Promise.all(children.map((c) => c.ready));
    for (const child of children) child.go();
    const tokens = await Promise.all(children.map((c) => c.token));
    const kept = readFileSync(file, 'utf8').trim();
    expect(tokens).toEqual(Array.from({ length: 8 }, () => kept));
    expect(readdirSync(dirname(file))).toEqual(['sim-admin.token']);
  });
});
