import { describe, expect, it } from 'vitest';
import { decideIntake, type IntakeContext } from '../../src/intake/decideIntake.js';
import type { KeyHolder } from '../../src/store/MessageQueries.js';
import type { MessageFields, ValidationReport } from '../../src/validation/types.js';

const FIELDS: MessageFields = {
  number: 'AB00000001',
  date: '20250101',
  actionDate: null,
  sellerId: '24634102',
  sellerName: null,
  buyerId: null,
  buyerName: null,
  totalAmount: '105',
  taxAmount: '5',
  references: [],
};

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
    fields: FIELDS,
    ...overrides,
  };
}

const holder = (state: KeyHolder['state'], sha = 'a', uploaded: 0 | 1 = 0): KeyHolder => ({
  id: 7,
  sha256: sha.repeat(64),
  state,
  receivedAt: 0,
  invoiceDate: '20250101',
  totalAmount: '105',
  uploaded,
});
const F0401 = { type: 'F0401', category: 'B2SSTORAGE' };
const F0501 = { type: 'F0501', category: 'B2SSTORAGE' };

function context(overrides: Partial<IntakeContext> = {}): IntakeContext {
  return {
    holderOf: () => undefined,
    latestOf: () => undefined,
    facts: {
      standing: () => undefined,
      sameNumberOtherKey: () => [],
      standingAllowances: () => [],
      allocations: () => [],
      trackCheck: 'refuse',
    },
    lang: 'en',
    ...overrides,
  };
}
const codes = (decision: ReturnType<typeof decideIntake>): string[] =>
  decision.kind === 'invalid' ? decision.errors.map((e) => e.code) : [];

describe('decideIntake', () => {
  it('accepts a valid message whose key is free', () => {
    expect(decideIntake(F0401, report(), 'b'.repeat(64), context())).toEqual({
      kind: 'new',
      messageKey: 'F0401AB0000000120250101',
      supersedes: null,
      takesKey: false,
      warnings: [],
    });
  });

  it.each(['queued', 'packed', 'uploaded', 'unknown', 'confirmed'] as const)(
    'calls the same bytes again a duplicate of a %s holder',
    (state) => {
      expect(decideIntake(F0401, report(), 'a'.repeat(64), context({ holderOf: () => holder(state) }))).toMatchObject({
        kind: 'duplicate',
        holder: holder(state),
      });
    },
  );

  it.each(['queued', 'uploaded', 'confirmed'] as const)(
    'refuses other bytes under the key of a %s message as duplicate-conflict',
    (state) => {
      const decision = decideIntake(F0401, report(), 'b'.repeat(64), context({ holderOf: () => holder(state) }));
      expect(decision).toMatchObject({ kind: 'invalid', conflictWith: holder(state) });
      expect(codes(decision)).toEqual(['duplicate-conflict']);
    },
  );

  it.each(['rejected', 'failed'] as const)('accepts a corrected version of a %s message, which takes its key', (state) => {
    const decision = decideIntake(F0401, report(), 'b'.repeat(64), context({ holderOf: () => holder(state) }));
    expect(decision).toMatchObject({ kind: 'new', supersedes: holder(state), takesKey: true });
  });

  it('keeps a failed message whose pack was uploaded standing: the platform may still confirm it, so no second version is sent', () => {
    expect(decideIntake(F0401, report(), 'b'.repeat(64), context({ holderOf: () => holder('failed', 'a', 1) }))).toMatchObject({
      kind: 'invalid',
      conflictWith: holder('failed', 'a', 1),
    });
    expect(decideIntake(F0401, report(), 'a'.repeat(64), context({ holderOf: () => holder('failed', 'a', 1) })).kind).toBe('duplicate');
  });

  it('accepts the same bytes again after a rejection (sent again, as a new version)', () => {
    expect(decideIntake(F0401, report(), 'a'.repeat(64), context({ holderOf: () => holder('rejected') }))).toMatchObject({
      kind: 'new',
      takesKey: true,
    });
  });

  it('links a corrected version to an earlier invalid one, which held no key', () => {
    const invalid = holder('invalid');
    const decision = decideIntake(
      F0401,
      report(),
      'b'.repeat(64),
      context({ latestOf: (number, key) => (number === 'AB00000001' && key === 'F0401AB0000000120250101' ? invalid : undefined) }),
    );
    expect(decision).toMatchObject({ kind: 'new', supersedes: invalid, takesKey: false });
  });

  it("refuses a message in another type's folder as wrong-folder, even when valid, in the language asked", () => {
    const decision = decideIntake(
      F0401,
      report({ messageType: 'F0501', invoiceIdentifier: 'F0501AB0000000120250101' }),
      'b'.repeat(64),
      context({ lang: 'zh-TW' }),
    );
    expect(codes(decision)).toEqual(['wrong-folder']);
    expect(decision.kind === 'invalid' && decision.errors[0]!.message).toContain('UpCast/B2SSTORAGE/F0501/SRC/');
    expect(decision.kind === 'invalid' && decision.errors[0]!.message).toMatch(/資料夾/);
  });

  it("refuses an invalid message with the validator's codes and never looks up its key", () => {
    const errors = [{ code: 'amount-total' as const, message: 'x', line: 3, path: '/Invoice' }];
    const decision = decideIntake(
      F0401,
      report({ valid: false, errors }),
      'b'.repeat(64),
      context({
        holderOf: () => {
          throw new Error('an invalid message must not be checked against the key holder');
        },
      }),
    );
    expect(decision).toMatchObject({ kind: 'invalid', messageKey: 'F0401AB0000000120250101', errors, conflictWith: null });
  });

  it('gives a cancel of an invoice its own key, so it is not a duplicate of the invoice', () => {
    const cancel = report({ messageType: 'F0501', invoiceIdentifier: 'F0501AB0000000120250101' });
    const lookups: string[] = [];
    decideIntake(
      F0501,
      cancel,
      'b'.repeat(64),
      context({
        holderOf: (key) => {
          lookups.push(key);
          return undefined;
        },
      }),
    );
    expect(lookups).toEqual(['F0501AB0000000120250101']);
  });

  it('refuses a seller no configured sender covers as sender-unknown', () => {
    expect(codes(decideIntake(F0401, report(), 'b'.repeat(64), context({ covers: (seller) => seller === '53718426' })))).toEqual([
      'sender-unknown',
    ]);
    expect(decideIntake(F0401, report(), 'b'.repeat(64), context({ covers: (seller) => seller === '24634102' })).kind).toBe('new');
  });

  it('refuses an F0401 number already issued with another date within a year as number-reused, and not one issued years before', () => {
    const other = (date: string): KeyHolder => ({ ...holder('confirmed'), id: 3, invoiceDate: date });
    const within = context({
      facts: {
        standing: () => undefined,
        sameNumberOtherKey: () => [other('20250301')],
        standingAllowances: () => [],
        allocations: () => [],
        trackCheck: 'refuse',
      },
    });
    expect(codes(decideIntake(F0401, report(), 'b'.repeat(64), within))).toEqual(['number-reused']);
    const yearsApart = context({
      facts: {
        standing: () => undefined,
        sameNumberOtherKey: () => [other('20220101')],
        standingAllowances: () => [],
        allocations: () => [],
        trackCheck: 'refuse',
      },
    });
    expect(decideIntake(F0401, report(), 'b'.repeat(64), yearsApart).kind).toBe('new');
  });
});
