import type { MessageFamily } from '../../mig/catalog.js';
import type { Element } from '../xml/tree.js';
import { checkAllowance, checkAllowanceCancel } from './allowance.js';
import { checkInvoiceAmounts } from './amounts.js';
import { RuleContext, type RuleOptions } from './context.js';
import { checkDates } from './dateRules.js';
import { checkBans } from './parties.js';
import { checkProof } from './proof.js';
import { checkRanges } from './ranges.js';

export type { RuleOptions, B2cTaxIncludedPolicy } from './context.js';

/**
 * Runs the business rules that need only the message itself (MIG-4.1.md rules 1-4, and the form
 * and arithmetic of allowances and number ranges). Rules that need what the store knows (the
 * original invoice of an allowance, earlier cancels) run at intake: intake/storeRules.
 */
export function runRules(root: Element, family: MessageFamily, options: RuleOptions): RuleContext {
  const ctx = new RuleContext(root, family, options);
  checkBans(ctx);
  checkDates(ctx);
  if (family === 'invoice') {
    checkInvoiceAmounts(ctx);
    checkProof(ctx);
  }
  if (family === 'allowance') checkAllowance(ctx);
  if (family === 'allowance-cancel') checkAllowanceCancel(ctx);
  if (family === 'branch-track' || family === 'branch-track-blank') checkRanges(ctx);
  return ctx;
}
