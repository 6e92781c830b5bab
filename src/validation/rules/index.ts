import type { MessageFamily } from '../../mig/catalog.js';
import type { Element } from '../xml/tree.js';
import { checkInvoiceAmounts } from './amounts.js';
import { RuleContext, type RuleOptions } from './context.js';
import { checkDates } from './dateRules.js';
import { checkBans } from './parties.js';
import { checkProof } from './proof.js';

export type { RuleOptions, B2cTaxIncludedPolicy } from './context.js';

/** Runs the business rules that need only the message itself (MIG-4.1.md rules 1-4). */
export function runRules(root: Element, family: MessageFamily, options: RuleOptions): RuleContext {
  const ctx = new RuleContext(root, family, options);
  checkBans(ctx);
  checkDates(ctx);
  if (family === 'invoice') {
    checkInvoiceAmounts(ctx);
    checkProof(ctx);
  }
  return ctx;
}
