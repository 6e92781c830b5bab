import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../../src/time/timeOrderedIds.js';

describe('uuidV7', () => {
  it('writes a version 7, RFC 9562 variant UUID whose first 48 bits are the time in milliseconds', () => {
    const at = Date.UTC(2026, 10, 22, 21, 0, 0, 123);
    const id = uuidV7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sorts later ids after earlier ones, and never repeats within a millisecond', () => {
    const at = Date.UTC(2026, 10, 22);
    const same = new Set(Array.from({ length: 10_000 }, () => uuidV7(at)));
    expect(same.size).toBe(10_000);
    expect(uuidV7(at) < uuidV7(at + 1)).toBe(true);
    expect(uuidV7(at + 1) < uuidV7(at + 1000 * 86_400_000)).toBe(true);
  });
});
