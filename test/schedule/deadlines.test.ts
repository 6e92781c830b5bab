import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/loadConfig.js';
import { periodDeadline, uploadDeadline } from '../../src/schedule/deadlines.js';

const RULES = parseConfig('{}', '/srv/turnkey/turnkey.config.json').deadlines.rules;
const taipei = (iso: string) => Date.parse(`${iso}+08:00`);

describe('upload deadlines', () => {
  const invoice = { messageType: 'F0401', actionDate: null };

  it('gives a B2C invoice 48 hours from its issue, a B2B one 7 days, counted in Taiwan time', () => {
    const b2c = uploadDeadline(RULES, { ...invoice, buyerId: '0000000000', date: '20261231', time: '23:59:59' });
    expect(b2c).toBe(taipei('2027-01-02T23:59:59'));
    const b2b = uploadDeadline(RULES, { ...invoice, buyerId: '24634102', date: '20261231', time: '00:00:01' });
    expect(b2b).toBe(taipei('2027-01-07T00:00:01'));
  });

  it('counts an invoice issued a second before midnight from that day, not the next', () => {
    const late = uploadDeadline(RULES, { ...invoice, buyerId: '0000000000', date: '20261205', time: '23:59:59' });
    const early = uploadDeadline(RULES, { ...invoice, buyerId: '0000000000', date: '20261206', time: '00:00:00' });
    expect(early! - late!).toBe(1000);
    // 15:59:59 UTC is 23:59:59 in Taipei: the day is Taipei's.
    expect(new Date(late!).toISOString()).toBe('2026-12-07T15:59:59.000Z');
  });

  it('counts from the start of the day when the message has no time (an allowance), never later than the law', () => {
    const allowance = uploadDeadline(RULES, {
      messageType: 'G0401',
      buyerId: '0000000000',
      date: '20261206',
      actionDate: null,
      time: null,
    });
    expect(allowance).toBe(taipei('2026-12-08T00:00:00'));
  });

  it("counts a cancel or a void from its own date, not its invoice's", () => {
    const cancel = uploadDeadline(RULES, {
      messageType: 'F0501',
      buyerId: '24634102',
      date: '20261001',
      actionDate: '20261206',
      time: '10:00:00',
    });
    expect(cancel).toBe(taipei('2026-12-13T10:00:00'));
  });

  it('gives unused numbers (E0402) until the end of the 10th day of the next period, across the year end', () => {
    const e0402 = { messageType: 'E0402', buyerId: '24634102', actionDate: null, time: null };
    expect(uploadDeadline(RULES, { ...e0402, date: '11512' })).toBe(taipei('2027-01-11T00:00:00'));
    expect(uploadDeadline(RULES, { ...e0402, date: '11502' })).toBe(taipei('2026-03-11T00:00:00'));
    expect(periodDeadline('11506', 10)).toBe(taipei('2026-07-11T00:00:00'));
  });

  it('gives no deadline where no rule covers the message or its date cannot be read', () => {
    expect(uploadDeadline(RULES, { messageType: 'E0401', buyerId: null, date: '11512', actionDate: null, time: null })).toBeNull();
    expect(uploadDeadline(RULES, { ...invoice, buyerId: '0000000000', date: '20260230', time: null })).toBeNull();
  });

  it('takes the rules from the configuration: the first that matches type and buyer', () => {
    const rules = [
      { types: ['F0401' as const], buyer: 'b2b' as const, hours: 1 },
      { types: ['F0401' as const], buyer: 'any' as const, days: 2 },
    ];
    expect(uploadDeadline(rules, { ...invoice, buyerId: '24634102', date: '20261206', time: '12:00:00' })).toBe(
      taipei('2026-12-06T13:00:00'),
    );
    expect(uploadDeadline(rules, { ...invoice, buyerId: '0000000000', date: '20261206', time: '12:00:00' })).toBe(
      taipei('2026-12-08T12:00:00'),
    );
  });
});
