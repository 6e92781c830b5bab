import { children, child, type Element } from '../xml/tree.js';
import { isCalendarDate, isInFuture } from './dates.js';
import type { RuleContext } from './context.js';
import { elementAt } from './parties.js';

interface DateField {
  date: string;
  time?: string;
}

/** The dates of each family, with the time that goes with each when there is one. */
const DATE_FIELDS: Record<string, DateField[]> = {
  invoice: [{ date: 'Main/InvoiceDate', time: 'Main/InvoiceTime' }],
  'invoice-cancel': [{ date: 'InvoiceDate' }, { date: 'CancelDate', time: 'CancelTime' }],
  'invoice-void': [{ date: 'InvoiceDate' }, { date: 'VoidDate', time: 'VoidTime' }],
  allowance: [{ date: 'Main/AllowanceDate' }],
  'allowance-cancel': [{ date: 'AllowanceDate' }, { date: 'CancelDate', time: 'CancelTime' }],
};

/** The action date must not come before the date of what it acts on. */
const ORDER: Record<string, [later: string, earlier: string]> = {
  'invoice-cancel': ['CancelDate', 'InvoiceDate'],
  'invoice-void': ['VoidDate', 'InvoiceDate'],
  'allowance-cancel': ['CancelDate', 'AllowanceDate'],
};

/** Rule 2: real calendar dates, not in the future, and actions not before what they act on. */
export function checkDates(ctx: RuleContext): void {
  const { now, clockSkewSeconds } = ctx.options;
  const fields = [...(DATE_FIELDS[ctx.family] ?? [])];
  if (ctx.family === 'allowance') {
    children(child(ctx.root, 'Details'), 'ProductItem').forEach((_, i) =>
      fields.push({ date: `Details/ProductItem[${i}]/OriginalInvoiceDate` }),
    );
  }
  const valid = new Set<string>();
  for (const field of fields) {
    const element = at(ctx.root, field.date);
    const date = element?.text.trim();
    if (!element || !date) continue;
    const name = element.name;
    if (!isCalendarDate(date)) {
      ctx.error('date-invalid', element, 'dateInvalid', { field: name, date });
      continue;
    }
    valid.add(field.date);
    const time = field.time ? (at(ctx.root, field.time)?.text.trim() ?? null) : null;
    if (isInFuture(date, time, now, clockSkewSeconds)) {
      ctx.error('date-future', element, 'dateFuture', { field: name, date: time ? `${date} ${time}` : date, skew: clockSkewSeconds });
    }
  }

  const order = ORDER[ctx.family];
  if (order && valid.has(order[0]) && valid.has(order[1])) {
    const later = at(ctx.root, order[0])!;
    const earlier = at(ctx.root, order[1])!;
    if (later.text.trim() < earlier.text.trim()) {
      ctx.error('date-order', later, 'dateOrder', {
        field: later.name,
        date: later.text.trim(),
        otherField: earlier.name,
        other: earlier.text.trim(),
      });
    }
  }
  if (ctx.family === 'allowance' && valid.has('Main/AllowanceDate')) {
    const allowanceDate = at(ctx.root, 'Main/AllowanceDate')!;
    children(child(ctx.root, 'Details'), 'ProductItem').forEach((item, i) => {
      const original = child(item, 'OriginalInvoiceDate');
      if (!original || !valid.has(`Details/ProductItem[${i}]/OriginalInvoiceDate`)) return;
      if (allowanceDate.text.trim() < original.text.trim()) {
        ctx.error('date-order', allowanceDate, 'dateOrder', {
          field: 'AllowanceDate',
          date: allowanceDate.text.trim(),
          otherField: `OriginalInvoiceDate (item ${i + 1})`,
          other: original.text.trim(),
        });
      }
    });
  }
}

/** Like elementAt, with `Name[i]` picking the i-th (0-based) child of that name. */
function at(root: Element, path: string): Element | null {
  const indexed = /^(.*)\/(\w+)\[(\d+)\]\/(\w+)$/.exec(path);
  if (!indexed) return elementAt(root, path);
  const [, parent, name, index, leaf] = indexed;
  return child(children(elementAt(root, parent!), name!)[Number(index)] ?? null, leaf!);
}
