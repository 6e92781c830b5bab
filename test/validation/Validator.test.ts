import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuplicateTracker } from '../../src/validation/DuplicateTracker.js';
import { Validator } from '../../src/validation/Validator.js';

const SAMPLES = join(import.meta.dirname, '../../samples');
const VALID = join(SAMPLES, 'valid');
const INVALID = join(SAMPLES, 'invalid');

describe('samples', () => {
  let validator: Validator;
  beforeAll(async () => {
    validator = await Validator.create();
  });

  const validFiles = readdirSync(VALID).filter((n) => n.endsWith('.xml'));

  it('has a valid sample of every outbound message type', () => {
    const types = new Set(validFiles.map((n) => n.slice(0, 5)));
    for (const type of ['F0401', 'F0501', 'F0701', 'G0401', 'G0501', 'E0401', 'E0402']) expect(types).toContain(type);
  });

  it.each(validFiles)('valid/%s passes with no error and reads its key', (name) => {
    const report = validator.validate(readFileSync(join(VALID, name)), { file: name });
    expect(report.errors).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.version).toBe('4.1');
    const type = name.split('-')[0]!;
    expect(report.messageType).toBe(type);
    if (/^[EFG]0[45]0[12]$/.test(type) && type !== 'E0501') {
      expect(report.key).not.toBeNull();
      expect(report.invoiceIdentifier).toBe(`${type}${report.key!.number}${report.key!.date}`);
    }
  });

  const invalidFiles = readdirSync(INVALID).filter((n) => n.endsWith('.xml'));

  it.each(invalidFiles)('invalid/%s reports exactly the code in its name', (name) => {
    const expected = name.split('--')[0];
    const report = validator.validate(readFileSync(join(INVALID, name)), { file: name });
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => e.code)).toEqual(expect.arrayContaining([expected]));
    expect(new Set(report.errors.map((e) => e.code))).toEqual(new Set([expected]));
    for (const error of report.errors) expect(error.message.length).toBeGreaterThan(10);
  });

  it('reports a duplicate only for the second file of a folder that repeats an invoice number', () => {
    const folder = join(INVALID, 'duplicate--same-number-twice');
    expect(statSync(folder).isDirectory()).toBe(true);
    const tracker = new DuplicateTracker();
    const codes = readdirSync(folder)
      .sort()
      .map((name) => {
        const report = validator.validate(readFileSync(join(folder, name)), { file: name });
        tracker.check(report);
        return report.errors.map((e) => e.code);
      });
    expect(codes).toEqual([[], ['duplicate']]);
  });

  it('does not call a cancel of an invoice a duplicate of the invoice', () => {
    const tracker = new DuplicateTracker();
    const invoice = validator.validate(readFileSync(join(VALID, 'F0401-b2c-printed.xml')));
    const cancel = validator.validate(readFileSync(join(VALID, 'F0501-b2c-cancel.xml')));
    expect(tracker.check(invoice)).toBe(false);
    expect(tracker.check(cancel)).toBe(false);
  });

  it('accepts a UTF-8 byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(join(VALID, 'F0401-b2c-printed.xml'))]);
    expect(validator.validate(bytes).errors).toEqual([]);
  });

  it('gives every error of an invalid sample a line, and a path where an element is at fault', () => {
    const report = validator.validate(readFileSync(join(INVALID, 'amount-tax--tax-off-by-more-than-one.xml')));
    expect(report.errors[0]).toMatchObject({ code: 'amount-tax', line: expect.any(Number), path: '/Invoice/Amount/TaxAmount' });
    const xsd = validator.validate(readFileSync(join(INVALID, 'xsd--invoice-number-pattern.xml')));
    expect(xsd.errors[0]).toMatchObject({ code: 'xsd', line: expect.any(Number), path: '/Invoice/Main/InvoiceNumber' });
    // The pattern is quoted whole (its {2} is not a namespace to strip), and no namespace is left in.
    expect(xsd.errors[0]!.message).toContain("'[A-Z]{2}[0-9]{8}'");
    expect(xsd.errors[0]!.message).not.toContain('urn:GEINV');
  });

  it('names every invalid sample after a code the validator has', () => {
    for (const name of readdirSync(INVALID)) expect(basename(name).split('--')[0]).toMatch(/^[a-z0-9-]+$/);
  });
});
