import { child, children, textAt, type Element } from '../xml/tree.js';
import type { RuleContext } from './context.js';
import { abs, formatDecimal, multiply, ONE, parseDecimal, roundToInteger, ZERO, type Fixed } from './decimal.js';

/** Allowed difference between a tax and its computed value, and between items and their totals. */
const TOLERANCE = ONE;
const RATE_5_PERCENT: Fixed = parseDecimal('0.05')!;

/**
 * G0401 (MIG 4.1): the form of the allowance and its arithmetic.
 * - AllowanceType 1 (issued by the buyer): since 2025-01-01 the seller issues allowances
 *   (統一發票使用辦法 第20條之1); the platform may refuse it: a warning (`allowance-type`).
 * - OriginalInvoiceSellerId/BuyerId inside an item instead of in Main: the doubtful form (see
 *   schemas/G0401.xsd): a warning (`allowance-form`).
 * - Items: each Amount (tax excluded) and Tax; they sum to TotalAmount and TaxAmount (±1,
 *   `amount-items` / `amount-tax`); a taxable item's Tax is round(Amount × 5%) ±1, a zero-rated or
 *   tax-free item's Tax is 0 (`amount-tax`).
 */
export function checkAllowance(ctx: RuleContext): void {
  const type = child(child(ctx.root, 'Main'), 'AllowanceType');
  if (type?.text.trim() === '1') ctx.warn('allowance-type', type, 'allowanceTypeBuyer');

  const items = children(child(ctx.root, 'Details'), 'ProductItem');
  items.forEach((item, i) => {
    const doubtful = child(item, 'OriginalInvoiceSellerId') ?? child(item, 'OriginalInvoiceBuyerId');
    if (doubtful) ctx.warn('allowance-form', doubtful, 'allowanceItemIds', { item: i + 1 });
  });

  let amountSum = ZERO;
  let taxSum = ZERO;
  for (const [i, item] of items.entries()) {
    const amount = parseDecimal(textAt(item, 'Amount'));
    const tax = parseDecimal(textAt(item, 'Tax'));
    if (amount === null || tax === null) return; // the schema already said what is wrong
    amountSum += amount;
    taxSum += tax;
    const taxType = textAt(item, 'TaxType')?.trim();
    const taxElement = child(item, 'Tax');
    if ((taxType === '2' || taxType === '3') && tax !== ZERO) {
      ctx.error('amount-tax', taxElement, 'allowanceItemTaxNotZero', { item: i + 1, taxType, tax: formatDecimal(tax) });
    } else if (taxType === '1' && abs(tax - roundToInteger(multiply(amount, RATE_5_PERCENT))) > TOLERANCE) {
      ctx.error('amount-tax', taxElement, 'allowanceItemTax', {
        item: i + 1,
        tax: formatDecimal(tax),
        amount: formatDecimal(amount),
        expected: formatDecimal(roundToInteger(multiply(amount, RATE_5_PERCENT))),
      });
    }
  }
  const totals = child(ctx.root, 'Amount');
  const total = parseDecimal(textAt(totals, 'TotalAmount'));
  const taxAmount = parseDecimal(textAt(totals, 'TaxAmount'));
  if (total !== null && abs(total - amountSum) > TOLERANCE) {
    ctx.error('amount-items', child(totals, 'TotalAmount'), 'allowanceItemsSum', {
      field: 'TotalAmount',
      sum: formatDecimal(amountSum),
      total: formatDecimal(total),
      what: 'Amount',
    });
  }
  if (taxAmount !== null && abs(taxAmount - taxSum) > TOLERANCE) {
    ctx.error('amount-tax', child(totals, 'TaxAmount'), 'allowanceItemsSum', {
      field: 'TaxAmount',
      sum: formatDecimal(taxSum),
      total: formatDecimal(taxAmount),
      what: 'Tax',
    });
  }
}

/** G0501: MIG 4.1 adds AllowanceType (2, the seller); without it, or with 1, the platform may refuse it. */
export function checkAllowanceCancel(ctx: RuleContext): void {
  const type = child(ctx.root, 'AllowanceType');
  if (!type) ctx.warn('allowance-type', null, 'allowanceTypeMissing');
  else if (type.text.trim() === '1') ctx.warn('allowance-type', type, 'allowanceTypeBuyer');
}

/** What each original invoice is allowed, per the allowance's items: Amount + Tax summed by invoice. */
export function allowanceReferences(root: Element): Array<{ number: string; date: string; amount: string }> {
  const byInvoice = new Map<string, { number: string; date: string; amount: Fixed }>();
  for (const item of children(child(root, 'Details'), 'ProductItem')) {
    const number = textAt(item, 'OriginalInvoiceNumber')?.trim();
    const date = textAt(item, 'OriginalInvoiceDate')?.trim();
    const amount = parseDecimal(textAt(item, 'Amount'));
    const tax = parseDecimal(textAt(item, 'Tax'));
    if (!number || !date || amount === null || tax === null) continue;
    const key = `${number}|${date}`;
    const entry = byInvoice.get(key) ?? { number, date, amount: ZERO };
    entry.amount += amount + tax;
    byInvoice.set(key, entry);
  }
  return [...byInvoice.values()].map((e) => ({ number: e.number, date: e.date, amount: formatDecimal(e.amount) }));
}
