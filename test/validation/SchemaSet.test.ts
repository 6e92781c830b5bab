import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '../../src/validation/Validator.js';

const SHARED = join(import.meta.dirname, '../../../shared/reference');
const OFFICIAL_XSD = join(SHARED, 'mig-3.2-xsd');
const SAMPLES = join(SHARED, 'samples-3.2');

describe('official schemas dropped in (MIG 3.2 from ../shared)', () => {
  let validator: Validator;
  beforeAll(async () => {
    validator = await Validator.create({ schemasDir: OFFICIAL_XSD, now: () => new Date('2026-11-22T00:00:00Z') });
  });

  const codesOf = (name: string) => validator.validate(readFileSync(join(SAMPLES, name)), { file: name }).errors.map((e) => e.code);

  it('loads despite the known defects, and reports each repair', () => {
    const repaired = validator.schemaWarnings.map((w) => w.path);
    expect(repaired).toEqual(expect.arrayContaining(['commBean/E0501.xsd', 'E0401.xsd', 'E0402.xsd']));
    expect(validator.schemaWarnings.every((w) => w.code === 'schema-defect')).toBe(true);
  });

  it('passes the schema for C0401_v32_* and C0401_RY89485401*', () => {
    const names = readdirSync(SAMPLES).filter((n) => n.startsWith('C0401_v32_') || n.startsWith('C0401_RY89485401'));
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) expect(codesOf(name), name).not.toContain('xsd');
  });

  it('fails the schema for C0401_ZZ91195209* and D0401_*', () => {
    const names = readdirSync(SAMPLES).filter((n) => n.startsWith('C0401_ZZ91195209') || n.startsWith('D0401_'));
    expect(names.length).toBe(2);
    for (const name of names) expect(codesOf(name), name).toContain('xsd');
  });

  it('catches the amount rules that C0401_v32_LY42140650 breaks although its schema passes', () => {
    const codes = codesOf('C0401_v32_LY42140650.xml');
    expect(codes).not.toContain('xsd');
    expect(codes).toEqual(expect.arrayContaining(['amount-total', 'amount-tax']));
  });

  it('reports the type and version read from the root namespace, whatever the file is named', () => {
    const report = validator.validate(readFileSync(join(SAMPLES, 'D0401_ECWW901966630001_20220224180022.xml')), { file: 'x.xml' });
    expect(report).toMatchObject({ messageType: 'D0401', version: '3.2' });
  });
});

describe('bundled 4.1 schemas', () => {
  it('refuse a 3.2 message as a retired version, saying so', async () => {
    const validator = await Validator.create();
    const report = validator.validate(readFileSync(join(SAMPLES, 'C0401_v32_LY42140651.xml')));
    expect(report.errors.map((e) => e.code)).toEqual(['unknown-message']);
    expect(report.errors[0]!.message).toMatch(/3\.2.*F0401/);
  });
});
