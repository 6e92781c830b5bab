import { describe, expect, it } from 'vitest';
import { decideIntake } from '../../src/intake/decideIntake.js';
import type { KeyHolder } from '../../src/store/MessageQueries.js';
import type { ValidationReport } from '../../src/validation/types.js';

function report(overrides: Partial<ValidationReport> = {}): ValidationReport {
  return {
    file: 'a.xml',
    messageType: 'F0401',
    version: '4.1',
    category: 'B2SSTORAGE',
    key: { number: 'AB00000001', date: '20250101' },
    invoiceIdentifier: 'F0401AB0000000120250101',
    valid: true,
    errors: [],
    warnings: [],
    fields: null,
    ...overrides,
  };
}

const holder: KeyHolder = { id: 7, sha256: 'a'.repeat(64), state: 'queued', receivedAt: 0 };
const none = (): undefined => undefined;

describe('decideIntake', () => {
  it('accepts a valid message whose key is free', () => {
    expect(decideIntake('F0401', report(), 'b'.repeat(64), none)).toEqual({ kind: 'new', messageKey: 'F0401AB0000000120250101' });
  });

  it('calls the same key with the same bytes a duplicate of the holder', () => {
    expect(decideIntake('F0401', report(), 'a'.repeat(64), () => holder)).toMatchObject({ kind: 'duplicate', holder });
  });

  it('refuses the same key with other bytes as duplicate-conflict', () => {
    const decision = decideIntake('F0401', report(), 'b'.repeat(64), () => holder);
    expect(decision).toMatchObject({ kind: 'invalid', conflictWith: holder });
    expect(decision.kind === 'invalid' && decision.errors.map((e) => e.code)).toEqual(['duplicate-conflict']);
  });

  it('refuses a message in another type\'s folder as wrong-folder, even when valid', () => {
    const decision = decideIntake('F0401', report({ messageType: 'F0501', invoiceIdentifier: 'F0501AB0000000120250101' }), 'b'.repeat(64), none);
    expect(decision.kind).toBe('invalid');
    expect(decision.kind === 'invalid' && decision.errors[0]).toMatchObject({ code: 'wrong-folder' });
    expect(decision.kind === 'invalid' && decision.errors[0]!.message).toContain('UpCast/B2SSTORAGE/F0501/SRC/');
  });

  it('refuses an invalid message with the validator\'s codes and never looks up its key', () => {
    const errors = [{ code: 'amount-total' as const, message: 'x', line: 3, path: '/Invoice' }];
    const decision = decideIntake('F0401', report({ valid: false, errors }), 'b'.repeat(64), () => {
      throw new Error('an invalid message must not be checked against the key holder');
    });
    expect(decision).toMatchObject({ kind: 'invalid', messageKey: 'F0401AB0000000120250101', errors, conflictWith: null });
  });

  it('gives a cancel of an invoice its own key, so it is not a duplicate of the invoice', () => {
    const cancel = report({ messageType: 'F0501', invoiceIdentifier: 'F0501AB0000000120250101' });
    const lookups: string[] = [];
    decideIntake('F0501', cancel, 'b'.repeat(64), (key) => {
      lookups.push(key);
      return undefined;
    });
    expect(lookups).toEqual(['F0501AB0000000120250101']);
  });
});
