import { child, children, textAt, type Element } from '../xml/tree.js';
import { B2C_BUYER } from './ban.js';
import type { RuleContext } from './context.js';
import { abs, formatDecimal, multiply, ONE, parseDecimal, roundToInteger, ZERO, type Fixed } from './decimal.js';

/**
 * Rule 3, the F0401 arithmetic. Tolerances, all documented in the README:
 * - TotalAmount = SalesAmount + FreeTaxSalesAmount + ZeroTaxSalesAmount + TaxAmount exactly;
 * - TaxAmount = round(SalesAmount × TaxRate) within ±1 (tax derived from tax-included prices
 *   rounds differently);
 * - items sum to TotalAmount (tax-included) or to the three sales amounts (tax-excluded), ±1.
 */
const TOLERANCE = ONE;

const TAX_TYPE_MEANING: Record<string, { en: string; zh: string }> = {
  '1': { en: 'taxable', zh: '應稅' },
  '2': { en: 'zero-rated', zh: '零稅率' },
  '3': { en: 'tax-free', zh: '免稅' },
  '4': { en: 'special rate', zh: '特種稅率' },
  '9': { en: 'mixed', zh: '混合應稅' },
};

const SPECIAL_RATES = ['0.01', '0.02', '0.15', '0.25'];

export function checkInvoiceAmounts(ctx: RuleContext): void {
  const amount = child(ctx.root, 'Amount');
  if (!amount) return;
  const read = (name: string): { element: Element | null; value: Fixed | null } => {
    const element = child(amount, name);
    return { element, value: parseDecimal(element?.text) };
  };
  const sales = read('SalesAmount');
  const free = read('FreeTaxSalesAmount');
  const zero = read('ZeroTaxSalesAmount');
  const tax = read('TaxAmount');
  const total = read('TotalAmount');
  const rate = read('TaxRate');
  const taxTypeElement = child(amount, 'TaxType');
  const taxType = taxTypeElement?.text.trim() ?? '';
  if (
    sales.value === null ||
    free.value === null ||
    zero.value === null ||
    tax.value === null ||
    total.value === null ||
    rate.value === null
  ) {
    return; // the schema already said what is missing
  }
  const salesSum = sales.value + free.value + zero.value;
  const b2c = textAt(ctx.root, 'Main/Buyer/Identifier') === B2C_BUYER;
  const taxIncludedB2c = b2c && (taxType === '1' || taxType === '9') && tax.value === ZERO && sales.value > ZERO;

  checkTaxRate(ctx, taxType, taxTypeElement, rate.element!, rate.value);

  if (total.value !== salesSum + tax.value) {
    ctx.error('amount-total', total.element, 'amountTotal', {
      total: formatDecimal(total.value),
      expected: formatDecimal(salesSum + tax.value),
    });
  }

  if (taxType === '2' || taxType === '3') {
    if (tax.value !== ZERO) ctx.error('amount-tax', tax.element, 'amountTaxNotZero', { taxType, tax: formatDecimal(tax.value) });
  } else if (taxIncludedB2c) {
    const policy = ctx.options.b2cTaxIncluded;
    if (policy === 'warn') ctx.warn('b2c-tax-included', tax.element, 'b2cTaxIncluded');
    if (policy === 'reject') taxMismatch(ctx, tax, sales.value, rate.value);
  } else if (abs(tax.value - roundToInteger(multiply(sales.value, rate.value))) > TOLERANCE) {
    taxMismatch(ctx, tax, sales.value, rate.value);
  }

  checkItems(ctx, { taxType, sales: sales.value, free: free.value, zero: zero.value, tax: tax.value, total: total.value });
}

function taxMismatch(ctx: RuleContext, tax: { element: Element | null; value: Fixed | null }, sales: Fixed, rate: Fixed): void {
  ctx.error('amount-tax', tax.element, 'amountTax', {
    tax: formatDecimal(tax.value!),
    sales: formatDecimal(sales),
    rate: formatDecimal(rate),
    expected: formatDecimal(roundToInteger(multiply(sales, rate))),
  });
}

function checkTaxRate(ctx: RuleContext, taxType: string, taxTypeElement: Element | null, rateElement: Element, rate: Fixed): void {
  const meaning = TAX_TYPE_MEANING[taxType];
  if (!meaning) return;
  const rateText = formatDecimal(rate);
  const expected = taxType === '2' || taxType === '3' ? ['0'] : taxType === '4' ? SPECIAL_RATES : ['0.05'];
  if (!expected.includes(rateText)) {
    ctx.error('tax-rate', rateElement, 'taxRate', {
      taxType,
      meaning: meaning.en,
      meaningZh: meaning.zh,
      expected: expected.join(' / '),
      rate: rateText,
    });
  }
  if (taxType === '2' && !textAt(ctx.root, 'Main/ZeroTaxRateReason')) {
    ctx.error('tax-rate', taxTypeElement, 'zeroTaxReason');
  }
}

interface Totals {
  taxType: string;
  sales: Fixed;
  free: Fixed;
  zero: Fixed;
  tax: Fixed;
  total: Fixed;
}

function checkItems(ctx: RuleContext, totals: Totals): void {
  const items = children(child(ctx.root, 'Details'), 'ProductItem');
  if (items.length === 0) return;
  const byTaxType = new Map<string, Fixed>();
  let sum = ZERO;
  let itemsReadable = true;
  items.forEach((item, i) => {
    const value = parseDecimal(child(item, 'Amount')?.text);
    const itemTaxType = child(item, 'TaxType')?.text.trim() ?? '';
    if (value === null) {
      itemsReadable = false;
      return;
    }
    sum += value;
    byTaxType.set(itemTaxType, (byTaxType.get(itemTaxType) ?? ZERO) + value);
    if (totals.taxType !== '9' && itemTaxType && itemTaxType !== totals.taxType) {
      ctx.error('tax-rate', child(item, 'TaxType'), 'itemTaxType', { item: i + 1, itemTaxType, taxType: totals.taxType });
    }
  });
  if (!itemsReadable) return;

  const salesSum = totals.sales + totals.free + totals.zero;
  const near = (a: Fixed, b: Fixed): boolean => abs(a - b) <= TOLERANCE;
  if (!near(sum, totals.total) && !near(sum, salesSum)) {
    ctx.error('amount-items', child(ctx.root, 'Details'), 'amountItems', {
      sum: formatDecimal(sum),
      total: formatDecimal(totals.total),
      sales: formatDecimal(salesSum),
    });
    return;
  }
  // 3.x items carry no TaxType, so a mixed invoice's split can be checked only when every item has one.
  if (totals.taxType !== '9' || items.some((item) => !child(item, 'TaxType')?.text.trim())) return;
  // A mixed invoice's split must follow its items: taxable items make SalesAmount (with or without
  // the tax), zero-rated items ZeroTaxSalesAmount, tax-free items FreeTaxSalesAmount.
  const split: Array<[string, string, Fixed, Fixed | null]> = [
    ['1', 'SalesAmount', totals.sales, totals.sales + totals.tax],
    ['2', 'ZeroTaxSalesAmount', totals.zero, null],
    ['3', 'FreeTaxSalesAmount', totals.free, null],
  ];
  for (const [itemTaxType, field, amount, alternative] of split) {
    const itemSum = byTaxType.get(itemTaxType) ?? ZERO;
    if (near(itemSum, amount) || (alternative !== null && near(itemSum, alternative))) continue;
    ctx.error('amount-items', child(child(ctx.root, 'Amount'), field), 'amountItemsMixed', {
      itemTaxType,
      sum: formatDecimal(itemSum),
      field,
      amount: formatDecimal(amount),
    });
  }
}
