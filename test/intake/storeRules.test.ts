import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backfillAllowanceRefs } from '../../src/intake/backfillAllowanceRefs.js';
import { BatchProcessor } from '../../src/intake/BatchProcessor.js';
import { InlineFileInspector } from '../../src/intake/FileInspector.js';
import { MESSAGES } from '../../src/mig/catalog.js';
import { Validator } from '../../src/validation/Validator.js';
import { intakeFixture, memoryLogger } from '../helpers/intakeHarness.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const TYPES = ['F0401', 'F0501', 'F0701', 'G0401', 'G0501', 'E0401', 'E0402'];
/** Cancels and allowances after what they act on, so each finds its original recorded. */
const ORDER = ['F0401', 'E0401', 'E0402', 'G0401', 'F0701', 'G0501', 'F0501'];

const typeOf = (xml: string): string => MESSAGES.find((m) => m.outbound && xml.includes(`urn:GEINV:eInvoiceMessage:${m.type}:4.1`))!.type;

describe('the rules that need the store, on the samples (samples/invalid/at-intake, samples/warnings)', () => {
  let validator: Validator;
  let fx: ReturnType<typeof intakeFixture>;
  let processor: BatchProcessor;

  beforeAll(async () => {
    validator = await Validator.create();
  });
  afterAll(() => validator.dispose());
  beforeEach(async () => {
    fx = intakeFixture(TYPES);
    // The sender of the samples' seller (and its branch) only: 83029154 is no sender's.
    processor = new BatchProcessor(fx.store, new InlineFileInspector(validator, 1 << 20), fx.layout, memoryLogger().logger, Date.now, {
      lang: 'en',
      covers: (seller) => seller === '53718426',
    });
    const valid = readdirSync(join(SAMPLES, 'valid'))
      .filter((n) => TYPES.includes(n.slice(0, 5)))
      .sort((a, b) => ORDER.indexOf(a.slice(0, 5)) - ORDER.indexOf(b.slice(0, 5)));
    for (const name of valid) await drop(join(SAMPLES, 'valid', name));
  });
  afterEach(() => fx.cleanup());

  /** Takes one file through intake; returns its message's state, error code and warnings. */
  async function drop(path: string): Promise<{ state: string; code: string | null; warnings: string[] }> {
    const xml = readFileSync(path, 'utf8');
    const type = typeOf(xml);
    const name = path.split('/').pop()!;
    fx.drop(type, name, xml);
    await processor.process([fx.claim(type, name)]);
    processor.flush();
    const row = fx.store.db
      .prepare('SELECT state, error_code AS code, findings_json AS findings FROM messages ORDER BY id DESC LIMIT 1')
      .get() as { state: string; code: string | null; findings: string | null };
    const warnings = row.findings ? (JSON.parse(row.findings) as { warnings: Array<{ code: string }> }).warnings.map((w) => w.code) : [];
    return { state: row.state, code: row.code, warnings };
  }

  it('takes every valid sample, each without a finding against the others', () => {
    const rows = fx.store.db.prepare('SELECT state, findings_json AS findings FROM messages').all() as Array<{
      state: string;
      findings: string | null;
    }>;
    expect(rows.length).toBe(readdirSync(join(SAMPLES, 'valid')).filter((n) => TYPES.includes(n.slice(0, 5))).length);
    expect(rows.filter((r) => r.state !== 'queued')).toEqual([]);
    expect(rows.filter((r) => r.findings !== null)).toEqual([]);
  });

  const atIntake = readdirSync(join(SAMPLES, 'invalid/at-intake')).filter((n) => n.endsWith('.xml'));
  it.each(atIntake)('invalid/at-intake/%s is refused with the code in its name', async (name) => {
    expect(await drop(join(SAMPLES, 'invalid/at-intake', name))).toMatchObject({ state: 'invalid', code: name.split('--')[0] });
  });

  const warned = [
    ...readdirSync(join(SAMPLES, 'warnings'))
      .filter((n) => n.endsWith('.xml'))
      .map((n) => `warnings/${n}`),
    ...readdirSync(join(SAMPLES, 'warnings/at-intake')).map((n) => `warnings/at-intake/${n}`),
  ];
  it.each(warned)('%s is taken, with the warning in its name and no other', async (path) => {
    const code = path.split('/').pop()!.split('--')[0];
    expect(await drop(join(SAMPLES, path))).toEqual({ state: 'queued', code: null, warnings: [code] });
  });

  it('counts what earlier allowances took: a second allowance that fits is taken, one more that does not is refused', async () => {
    const xml = readFileSync(join(SAMPLES, 'valid/G0401-b2b-damaged-goods.xml'), 'utf8');
    // QK10000013 totals 12600; the sample allowance took 919: 11681 remain.
    const allowance = (number: string, amount: number, tax: number): string =>
      xml
        .replace('QCA20261020001', number)
        .replace('<UnitPrice>875</UnitPrice>', `<UnitPrice>${amount}</UnitPrice>`)
        .replace('<Amount>875</Amount>', `<Amount>${amount}</Amount>`)
        .replace('<Tax>44</Tax>', `<Tax>${tax}</Tax>`)
        .replace('<TaxAmount>44</TaxAmount>', `<TaxAmount>${tax}</TaxAmount>`)
        .replace('<TotalAmount>875</TotalAmount>', `<TotalAmount>${amount}</TotalAmount>`);
    const write = (name: string, content: string): string => {
      fx.drop('G0401', name, content);
      return name;
    };
    const take = async (name: string): Promise<unknown> => {
      await processor.process([fx.claim('G0401', name)]);
      processor.flush();
      return fx.store.db.prepare('SELECT state, error_code AS code FROM messages ORDER BY id DESC LIMIT 1').get();
    };
    expect(await take(write('a1.xml', allowance('QCA20261020401', 10000, 500)))).toEqual({ state: 'queued', code: null }); // 1181 remain
    expect(await take(write('a2.xml', allowance('QCA20261020402', 1200, 60)))).toEqual({ state: 'invalid', code: 'allowance-exceeds' });
    expect(await take(write('a3.xml', allowance('QCA20261020403', 1124, 56)))).toEqual({ state: 'queued', code: null }); // 1 remains
  });

  it('does not count the version a corrected allowance replaces against it', async () => {
    // The sample allowance on QK10000013 (919 of 12600) failed before it was ever uploaded.
    fx.store.db.prepare("UPDATE messages SET state = 'failed' WHERE invoice_number = 'QCA20261020001'").run();
    const xml = readFileSync(join(SAMPLES, 'valid/G0401-b2b-damaged-goods.xml'), 'utf8');
    // Its corrected version takes 11681 + 1: all that remains once the first version no longer counts.
    const corrected = xml
      .replace('<UnitPrice>875</UnitPrice>', '<UnitPrice>11200</UnitPrice>')
      .replace('<Amount>875</Amount>', '<Amount>11200</Amount>')
      .replace('<Tax>44</Tax>', '<Tax>560</Tax>')
      .replace('<TaxAmount>44</TaxAmount>', '<TaxAmount>560</TaxAmount>')
      .replace('<TotalAmount>875</TotalAmount>', '<TotalAmount>11200</TotalAmount>');
    fx.drop('G0401', 'corrected.xml', corrected);
    await processor.process([fx.claim('G0401', 'corrected.xml')]);
    processor.flush();
    const rows = fx.store.db
      .prepare("SELECT state, supersedes, holds_key AS holds FROM messages WHERE invoice_number = 'QCA20261020001' ORDER BY id")
      .all();
    expect(rows).toEqual([
      expect.objectContaining({ state: 'failed', holds: 0 }),
      expect.objectContaining({ state: 'queued', holds: 1, supersedes: expect.any(Number) }),
    ]);
  });

  it('reads, at start-up, what allowances taken before the ledger existed take off their invoices', async () => {
    fx.store.db.prepare('DELETE FROM allowance_refs').run();
    const thread = new InlineFileInspector(validator, 1 << 20);
    expect(await backfillAllowanceRefs(fx.store.db, thread)).toBe(2);
    expect(fx.store.db.prepare('SELECT invoice_number AS n, amount FROM allowance_refs ORDER BY n').all()).toEqual([
      { n: 'QK10000013', amount: '919' },
      { n: 'QK10000017', amount: '95' },
    ]);
    expect(await backfillAllowanceRefs(fx.store.db, thread)).toBe(0);
  });
});
