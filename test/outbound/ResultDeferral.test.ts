import { describe, expect, it } from 'vitest';
import { ResultDeferral } from '../../src/outbound/ResultDeferral.js';

describe('ResultDeferral', () => {
  it('lets results wait while invoices wait to be taken, and not otherwise', () => {
    let backlog = true;
    const deferral = new ResultDeferral(() => backlog, 30_000);
    expect(deferral.defer(0)).toBe(true);
    expect(deferral.defer(10_000)).toBe(true);
    backlog = false;
    expect(deferral.defer(11_000)).toBe(false);
  });

  it('bounds the wait: a long backlog still gets its results once per period', () => {
    const deferral = new ResultDeferral(() => true, 30_000);
    expect(deferral.defer(0)).toBe(true);
    expect(deferral.defer(29_999)).toBe(true);
    expect(deferral.defer(30_000)).toBe(false);
    expect(deferral.defer(30_001)).toBe(true);
    expect(deferral.defer(60_000)).toBe(false);
  });

  it('starts the wait afresh after a quiet moment', () => {
    let backlog = true;
    const deferral = new ResultDeferral(() => backlog, 30_000);
    deferral.defer(0);
    backlog = false;
    deferral.defer(20_000);
    backlog = true;
    expect(deferral.defer(40_000)).toBe(true);
    expect(deferral.defer(69_999)).toBe(true);
    expect(deferral.defer(70_000)).toBe(false);
  });
});
