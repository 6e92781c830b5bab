import { randomFillSync } from 'node:crypto';

/**
 * Ids that sort by the time they were made: rows keyed by them are appended to their index instead
 * of landing on random pages. Each starts with the Unix time in milliseconds (12 hex digits) and
 * ends with random bits, so they stay unique within a millisecond.
 */

/** Random bytes drawn in blocks: one call to the system's generator per few hundred ids, not one per id. */
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomBytesFromPool(n: number): Buffer {
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += n;
  return pool.subarray(used - n, used);
}

/** The time in milliseconds as 12 hex digits. */
function timeHex(at: number): string {
  return Math.max(0, Math.floor(at)).toString(16).padStart(12, '0').slice(-12);
}

/** A UUID version 7 (RFC 9562): the time in milliseconds, then 74 random bits. */
export function uuidV7(at: number = Date.now()): string {
  const random = randomBytesFromPool(10);
  const time = timeHex(at);
  const hex = random.toString('hex');
  // version 7 in the top nibble of the 7th byte; variant 10 in the top bits of the 9th.
  const versioned = `7${hex.slice(1, 4)}`;
  const variant = ((random[2]! & 0x3f) | 0x80).toString(16).padStart(2, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-${versioned}-${variant}${hex.slice(6, 8)}-${hex.slice(8, 20)}`;
}

/** 20 hex digits: the time in milliseconds, then 32 random bits. */
export function timeOrderedHexId(at: number = Date.now()): string {
  return `${timeHex(at)}${randomBytesFromPool(4).toString('hex')}`;
}
