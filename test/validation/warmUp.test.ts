import { describe, expect, it } from 'vitest';
import { Validator } from '../../src/validation/Validator.js';
import { warmUp } from '../../src/validation/warmUp.js';
import type { ValidationReport } from '../../src/validation/types.js';

describe('validator warm-up', () => {
  it('validates its built-in invoice, which passes every check, as many times as asked', async () => {
    const validator = await Validator.create();
    try {
      const result = warmUp(validator, { iterations: 50, budgetMs: 60_000 });
      expect(result).toMatchObject({ iterations: 50, valid: true });
    } finally {
      validator.dispose();
    }
  });

  it('stops when its time budget is spent', () => {
    const slow = {
      validate(): ValidationReport {
        const until = performance.now() + 5;
        while (performance.now() < until);
        return { valid: true } as ValidationReport;
      },
    };
    const result = warmUp(slow, { iterations: 10_000, budgetMs: 30 });
    // Each validation takes at least 5 ms: the budget, not the count, ended it.
    expect(result.ms).toBeGreaterThanOrEqual(30);
    expect(result.iterations).toBeLessThanOrEqual(7);
    expect(result.valid).toBe(true);
  });

  it('stops at once, and says so, when the invoice is refused (schemas of another version, say)', () => {
    let calls = 0;
    const refusing = {
      validate(): ValidationReport {
        calls++;
        return { valid: false } as ValidationReport;
      },
    };
    expect(warmUp(refusing)).toMatchObject({ iterations: 1, valid: false });
    expect(calls).toBe(1);
  });
});
