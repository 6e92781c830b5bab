import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { f0401Xml, f0401XmlWithWrongTotal, invoiceNumber } from '../../src/mig/F0401Factory.js';
import { PROJECT_ROOT, runCli } from '../helpers/cli.js';

const SAMPLES = join(PROJECT_ROOT, 'samples');
const SHARED = join(PROJECT_ROOT, '../shared/reference');

describe('turnkey validate (spawned)', () => {
  it('exits 0 and says valid for a folder of valid messages', async () => {
    const result = await runCli(['validate', join(SAMPLES, 'valid')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/files: (\d+) valid, 0 invalid/);
  });

  it('prints the documented JSON shape and exits 1 when a file is invalid', async () => {
    const result = await runCli([
      'validate',
      '--json',
      join(SAMPLES, 'valid/F0401-b2c-printed.xml'),
      join(SAMPLES, 'invalid/amount-total--total-not-sum.xml'),
    ]);
    expect(result.code).toBe(1);
    const reports = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(reports).toHaveLength(2);
    expect(Object.keys(reports[0]!)).toEqual(expect.arrayContaining(['file', 'messageType', 'version', 'key', 'valid', 'errors']));
    expect(reports[0]).toMatchObject({ messageType: 'F0401', version: '4.1', valid: true, errors: [] });
    expect(reports[1]).toMatchObject({ valid: false, errors: [{ code: 'amount-total' }] });
    const error = (reports[1]!.errors as Array<Record<string, unknown>>)[0]!;
    expect(error).toMatchObject({ line: expect.any(Number), path: '/Invoice/Amount/TotalAmount', message: expect.any(String) });
  });

  it('reports the same invoice number twice in the input as duplicate', async () => {
    const result = await runCli(['validate', '--json', join(SAMPLES, 'invalid/duplicate--same-number-twice')]);
    expect(result.code).toBe(1);
    const reports = JSON.parse(result.stdout) as Array<{ valid: boolean; errors: Array<{ code: string }> }>;
    expect(reports.map((r) => r.errors.map((e) => e.code))).toEqual([[], ['duplicate']]);
  });

  it('shares a large folder out between threads and reports every file in order, as one thread would', async () => {
    // 2,000 files: over the threshold from which worker threads help, in many slices; the refused ones late, when a worker has
    // most likely joined in.
    const folder = mkdtempSync(join(tmpdir(), 'turnkey-validate-many-'));
    const name = (i: number) => join(folder, `${String(i).padStart(4, '0')}.xml`);
    for (let i = 0; i < 2000; i++) {
      const number = invoiceNumber(i === 1950 ? 3 : i, 'VM'); // file 1950 repeats file 3's number
      writeFileSync(name(i), i === 1720 ? f0401XmlWithWrongTotal({ number }) : f0401Xml({ number }));
    }
    const result = await runCli(['validate', '--json', folder]).finally(() => rmSync(folder, { recursive: true, force: true }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const reports = JSON.parse(result.stdout) as Array<{ file: string; valid: boolean; errors: Array<{ code: string }> }>;
    expect(reports.map((r) => r.file)).toEqual(Array.from({ length: 2000 }, (_, i) => name(i)));
    const refused = reports.flatMap((r, i) => (r.valid ? [] : [[i, r.errors.map((e) => e.code)]]));
    expect(refused).toEqual([
      [1720, ['amount-total']],
      [1950, ['duplicate']],
    ]);
  });

  it('speaks Traditional Chinese with --lang zh-TW', async () => {
    const result = await runCli(['validate', '--lang', 'zh-TW', join(SAMPLES, 'invalid/amount-total--total-not-sum.xml')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('總計');
    expect(result.stdout).toContain('不通過');
  });

  it('validates with an official schema folder given by --schemas, warning about its repaired defects', async () => {
    const result = await runCli([
      'validate',
      '--json',
      '--schemas',
      join(SHARED, 'mig-3.2-xsd'),
      join(SHARED, 'samples-3.2/C0401_v32_LY42140650.xml'),
    ]);
    expect(result.code).toBe(1);
    const [report] = JSON.parse(result.stdout) as Array<{ messageType: string; errors: Array<{ code: string }> }>;
    expect(report!.messageType).toBe('C0401');
    expect(report!.errors.map((e) => e.code)).not.toContain('xsd');
    expect(result.stderr).toMatch(/warning: .*E0501\.xsd/);
  });

  it('refuses a file over --max-bytes as too-large', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'turnkey-validate-'));
    const file = join(dir, 'big.xml');
    writeFileSync(file, `<a>${'x'.repeat(2000)}</a>`);
    const result = await runCli(['validate', '--json', '--max-bytes', '1000', file]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)[0].errors[0].code).toBe('too-large');
  });

  it('exits 2 with a clear message for a path that does not exist', async () => {
    const result = await runCli(['validate', '/nonexistent/turnkey-input']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('/nonexistent/turnkey-input');
  });

  it('exits 2 for an unknown option', async () => {
    const result = await runCli(['validate', '--bogus', SAMPLES]);
    expect(result.code).toBe(2);
  });
});
