import type { Finding } from './types.js';
import type { ValidationReport } from './types.js';
import { say, type Lang } from './messages.js';

/**
 * Finds the same message number twice within one input (MIG-4.1.md rule 6, the part that needs no
 * store). The key is the message type and number: a cancel of an invoice is its own message.
 */
export class DuplicateTracker {
  private readonly seen = new Map<string, string>();

  constructor(private readonly lang: Lang = 'en') {}

  /** Adds a `duplicate` error to the report when its key was seen before; returns whether it did. */
  check(report: ValidationReport): boolean {
    if (!report.messageType || !report.key) return false;
    const key = `${report.messageType}:${report.key.number}`;
    const first = this.seen.get(key);
    if (first === undefined) {
      this.seen.set(key, report.file ?? '(input)');
      return false;
    }
    const finding: Finding = {
      code: 'duplicate',
      message: say(this.lang, 'duplicate', { type: report.messageType, number: report.key.number, first }),
      line: null,
      path: null,
    };
    report.errors.push(finding);
    report.valid = false;
    return true;
  }
}
