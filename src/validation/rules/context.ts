import type { MessageFamily } from '../../mig/catalog.js';
import type { Finding, FindingCode } from '../types.js';
import { say, type Lang, type MessageId } from '../messages.js';
import { pathOf, type Element } from '../xml/tree.js';

/** What a B2C invoice written with tax-included SalesAmount and TaxAmount 0 gets. */
export type B2cTaxIncludedPolicy = 'accept' | 'warn' | 'reject';

export interface RuleOptions {
  lang: Lang;
  now: Date;
  clockSkewSeconds: number;
  b2cTaxIncluded: B2cTaxIncludedPolicy;
}

/** Everything a rule reads, and where it writes what it finds. */
export class RuleContext {
  readonly errors: Finding[] = [];
  readonly warnings: Finding[] = [];

  constructor(
    readonly root: Element,
    readonly family: MessageFamily,
    readonly options: RuleOptions,
  ) {}

  error(code: FindingCode, at: Element | null, id: MessageId, params: Record<string, string | number> = {}): void {
    this.errors.push(this.finding(code, at, id, params));
  }

  warn(code: FindingCode, at: Element | null, id: MessageId, params: Record<string, string | number> = {}): void {
    this.warnings.push(this.finding(code, at, id, params));
  }

  private finding(code: FindingCode, at: Element | null, id: MessageId, params: Record<string, string | number>): Finding {
    return { code, message: say(this.options.lang, id, params), line: at?.line ?? null, path: at ? pathOf(at) : null };
  }
}
