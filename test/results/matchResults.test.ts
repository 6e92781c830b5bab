import { describe, expect, it } from 'vitest';
import { failureReasons, packError, verdictsFor } from '../../src/results/matchResults.js';
import type { ResultInfo, SummaryEntry } from '../../src/results/parseResult.js';
import type { PackMessageRef } from '../../src/store/OutboundQueries.js';

const messages = (...numbers: string[]): PackMessageRef[] =>
  numbers.map((n, i) => ({ messageId: i + 1, invoiceNumber: n, invoiceDate: '20261020', state: 'uploaded' }));
const info = (code: string, description: string | null, ...parameters: string[]): ResultInfo => ({ code, description, parameters });
const entry = (
  good: { count: number | null; invoices: string[] | null },
  failed: { count: number | null; invoices: string[] | null },
  total?: number | null,
): SummaryEntry => ({
  messageId: '4.1-G0401-20261020-101010101-550e8400-e29b-41d4-a716-446655440000',
  messageType: 'G0401',
  total: total !== undefined ? total : good.count === null || failed.count === null ? null : good.count + failed.count,
  good: { count: good.count, invoices: good.invoices && good.invoices.map((number) => ({ number, date: null })) },
  failed: { count: failed.count, invoices: failed.invoices && failed.invoices.map((number) => ({ number, date: null })) },
});

describe("matching results to a pack's messages", () => {
  const allowances = messages('QCA20261020001', 'QCA20261020002');
  const numbers = new Set(['QCA20261020001', 'QCA20261020002']);

  it('gives each refused allowance its own reason (allowance numbers are not invoice numbers)', () => {
    const infos = [info('E9102', 'the amount is wrong', 'AllowanceNumber', 'QCA20261020002', '2')];
    expect(packError(infos, numbers)).toBeNull();
    const reasons = failureReasons(infos, numbers);
    const { verdicts, problem } = verdictsFor(
      allowances,
      entry({ count: 1, invoices: ['QCA20261020001'] }, { count: 1, invoices: ['QCA20261020002'] }),
      reasons,
      null,
    );
    expect(problem).toBeNull();
    expect(verdicts).toEqual([
      { messageId: 1, verdict: 'confirmed', code: null, text: null },
      { messageId: 2, verdict: 'rejected', code: 'E9102', text: 'the amount is wrong' },
    ]);
  });

  it('gives each refused invoice its own reason', () => {
    const invoices = messages('QK10000010', 'QK10000011', 'QK10000012');
    const ns = new Set(['QK10000010', 'QK10000011', 'QK10000012']);
    const infos = [info('E9101', 'not valid', 'InvoiceNumber', 'QK10000011'), info('E1003', 'issued twice', 'InvoiceNumber', 'QK10000012')];
    const { verdicts } = verdictsFor(
      invoices,
      entry({ count: 1, invoices: null }, { count: 2, invoices: ['QK10000011', 'QK10000012'] }),
      failureReasons(infos, ns),
      null,
    );
    expect(verdicts.map((v) => [v.verdict, v.code])).toEqual([
      ['confirmed', null],
      ['rejected', 'E9101'],
      ['rejected', 'E1003'],
    ]);
  });

  it("reads an error without parameters as the whole pack's, and rejects every message with it", () => {
    const infos = [info('E0004', 'signature verification failed')];
    const whole = packError(infos);
    expect(whole).toMatchObject({ code: 'E0004' });
    const { verdicts } = verdictsFor(
      allowances,
      entry({ count: 0, invoices: null }, { count: 2, invoices: null }),
      failureReasons(infos, numbers),
      { code: 'E0004', text: 'signature verification failed' },
    );
    expect(verdicts.map((v) => [v.verdict, v.code])).toEqual([
      ['rejected', 'E0004'],
      ['rejected', 'E0004'],
    ]);
  });

  it("never takes an error with parameters for the whole pack's, whatever they name", () => {
    expect(packError([info('E9101', 'not valid', 'AllowanceNumber', '#3', '3')])).toBeNull();
    expect(packError([info('E9101', 'not valid', 'OriginalInvoiceNumber', 'QK10000010')])).toBeNull();
  });

  it('reads only the number after a number-kind label, not the position after it', () => {
    const short = new Set(['2', 'QCA1']);
    expect(failureReasons([info('E9102', 'wrong', 'AllowanceNumber', 'QCA1', '2')], short)).toEqual(
      new Map([['QCA1', { code: 'E9102', text: 'wrong' }]]),
    );
  });

  it('decides nothing from the counts when a list names something that is not in the pack, and says so', () => {
    // A "complete" Failed list whose one reference matches nothing: the others are not confirmed by guess.
    const { verdicts, problem } = verdictsFor(
      allowances,
      entry({ count: 1, invoices: null }, { count: 1, invoices: ['qca20261020002'] }),
      new Map(),
      null,
    );
    expect(verdicts).toEqual([]);
    expect(problem).toMatch(/1 reference\(s\) of the Failed list name no message/);
    expect(problem).toMatch(/2 message\(s\) not named/);
  });

  it('decides nothing from counts that are unreadable or do not add up', () => {
    expect(verdictsFor(allowances, entry({ count: 2, invoices: null }, { count: null, invoices: null }), new Map(), null)).toMatchObject({
      verdicts: [],
      problem: expect.stringMatching(/unreadable or Total/),
    });
    expect(verdictsFor(allowances, entry({ count: 2, invoices: null }, { count: 0, invoices: null }, 3), new Map(), null)).toMatchObject({
      verdicts: [],
      problem: expect.stringMatching(/unreadable or Total/),
    });
    expect(verdictsFor(allowances, entry({ count: 3, invoices: null }, { count: 0, invoices: null }), new Map(), null)).toMatchObject({
      verdicts: [],
      problem: expect.stringMatching(/Total 3 is not the pack's 2/),
    });
  });

  it('tells two messages of one number apart by their date', () => {
    const twins: PackMessageRef[] = [
      { messageId: 1, invoiceNumber: 'QCA1', invoiceDate: '20261020', state: 'uploaded' },
      { messageId: 2, invoiceNumber: 'QCA1', invoiceDate: '20251020', state: 'uploaded' },
    ];
    const summary: SummaryEntry = {
      ...entry({ count: 1, invoices: null }, { count: 1, invoices: null }),
      good: { count: 1, invoices: [{ number: 'QCA1', date: '2026-10-20' }] },
      failed: { count: 1, invoices: [{ number: 'QCA1', date: '20251020' }] },
    };
    expect(verdictsFor(twins, summary, new Map(), null).verdicts.map((v) => [v.messageId, v.verdict])).toEqual([
      [1, 'confirmed'],
      [2, 'rejected'],
    ]);
  });

  it('confirms every message when nothing failed, and rejects all when nothing was good, without lists', () => {
    expect(
      verdictsFor(allowances, entry({ count: 2, invoices: null }, { count: 0, invoices: null }), new Map(), null).verdicts.map(
        (v) => v.verdict,
      ),
    ).toEqual(['confirmed', 'confirmed']);
    expect(
      verdictsFor(allowances, entry({ count: 0, invoices: null }, { count: 2, invoices: null }), new Map(), null).verdicts.map(
        (v) => v.verdict,
      ),
    ).toEqual(['rejected', 'rejected']);
  });

  it('confirms the messages a complete Failed list leaves out, and rejects those a complete Good list leaves out', () => {
    expect(
      verdictsFor(
        allowances,
        entry({ count: 1, invoices: null }, { count: 1, invoices: ['QCA20261020001'] }),
        new Map(),
        null,
      ).verdicts.map((v) => v.verdict),
    ).toEqual(['rejected', 'confirmed']);
    expect(
      verdictsFor(
        allowances,
        entry({ count: 1, invoices: ['QCA20261020001'] }, { count: 1, invoices: null }),
        new Map(),
        null,
      ).verdicts.map((v) => v.verdict),
    ).toEqual(['confirmed', 'rejected']);
  });

  it('applies what it can read of a result with an unreadable field, and says what stays as it is', () => {
    // The second reference is unreadable (empty): the first message is settled, the second is reported.
    const { verdicts, problem } = verdictsFor(
      allowances,
      entry({ count: 2, invoices: ['QCA20261020001', ''] }, { count: 0, invoices: [] }),
      new Map(),
      null,
    );
    expect(verdicts).toEqual([{ messageId: 1, verdict: 'confirmed', code: null, text: null }]);
    expect(problem).toMatch(/name no message of the pack/);
    expect(problem).toMatch(/1 message\(s\) not named/);
  });

  it('cannot tell which of a mixed count without lists, and says so', () => {
    const { verdicts, problem } = verdictsFor(
      allowances,
      entry({ count: 1, invoices: null }, { count: 1, invoices: null }),
      new Map(),
      null,
    );
    expect(verdicts).toEqual([]);
    expect(problem).toMatch(/2 message\(s\) not named in the SummaryResult and not told by its counts/);
  });
});
