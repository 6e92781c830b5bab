/**
 * What a refusal from the platform means for the messages in the pack. The platform documents few
 * codes (DOMAIN.md); those known to mean "the content is wrong" reject the messages, the rest are
 * treated as transient and retried, and anything unknown is retried too (a rejection is final, so
 * it is only given on a code that says so).
 */
export type RefusalMeaning = 'content' | 'transient';

const CONTENT_CODES: Readonly<Record<string, string>> = {
  E0004: 'signature verification failed (is the .cer of this .pfx registered on the platform?)',
  E0201: 'duplicate message',
  E1003: 'B2C invoice issued twice',
};

const TRANSIENT_CODES: Readonly<Record<string, string>> = {
  E0001: 'platform system error',
  E0002: 'platform database error',
};

/** The platform's own trouble (its system or database): like an outage, it never spends a pack's budget. */
export function isPlatformTrouble(code: string): boolean {
  return code in TRANSIENT_CODES;
}

export function refusalMeaning(code: string): RefusalMeaning {
  return code in CONTENT_CODES ? 'content' : 'transient';
}

export function describePlatformCode(code: string): string | null {
  return CONTENT_CODES[code] ?? TRANSIENT_CODES[code] ?? null;
}
