import { child, children, textAt, type Element } from '../xml/tree.js';
import type { RuleContext } from './context.js';

/** Invoice numbers are handed out in booklets (本) of 50. */
const BOOKLET = 50;

interface Range {
  begin: number;
  end: number;
  element: Element;
  /** 1-based position among the items, for messages. */
  item: number;
}

/**
 * E0401 and E0402: the number ranges of a track. Each range runs forward (`range-order`); the
 * ranges of one message do not overlap (`range-overlap`). E0401 allots whole booklets to a branch:
 * each range begins at a booklet's first number (…00 or …50) and ends at a booklet's last (…49 or
 * …99), its InvoiceBooklet is the number of booklets in it (`booklet`), and it lies within the
 * head office's range in Main (`range-outside`).
 */
export function checkRanges(ctx: RuleContext): void {
  const branch = ctx.family === 'branch-track';
  const itemName = branch ? 'BranchTrackItem' : 'BranchTrackBlankItem';
  const ranges: Range[] = [];
  children(child(ctx.root, 'Details'), itemName).forEach((element, i) => {
    const range = readRange(element, i + 1);
    if (!range) return;
    if (range.begin > range.end) {
      ctx.error('range-order', element, 'rangeOrder', { item: range.item, begin: pad(range.begin), end: pad(range.end) });
      return;
    }
    ranges.push(range);
    if (branch) checkBooklets(ctx, range);
  });

  const sorted = [...ranges].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const [previous, current] = [sorted[i - 1]!, sorted[i]!];
    if (current.begin <= previous.end) {
      ctx.error('range-overlap', current.element, 'rangeOverlap', {
        item: current.item,
        begin: pad(current.begin),
        end: pad(current.end),
        other: previous.item,
        otherBegin: pad(previous.begin),
        otherEnd: pad(previous.end),
      });
    }
  }

  if (!branch) return;
  const main = child(ctx.root, 'Main');
  const whole = main ? readRange(main, 0) : null;
  if (!whole) return;
  if (whole.begin > whole.end) {
    ctx.error('range-order', main, 'rangeOrderMain', { begin: pad(whole.begin), end: pad(whole.end) });
    return;
  }
  for (const range of ranges) {
    if (range.begin < whole.begin || range.end > whole.end) {
      ctx.error('range-outside', range.element, 'rangeOutside', {
        item: range.item,
        begin: pad(range.begin),
        end: pad(range.end),
        mainBegin: pad(whole.begin),
        mainEnd: pad(whole.end),
      });
    }
  }
}

function checkBooklets(ctx: RuleContext, range: Range): void {
  if (range.begin % BOOKLET !== 0 || (range.end + 1) % BOOKLET !== 0) {
    ctx.error('booklet', range.element, 'bookletBounds', { item: range.item, begin: pad(range.begin), end: pad(range.end) });
    return;
  }
  const booklets = (range.end - range.begin + 1) / BOOKLET;
  const stated = textAt(range.element, 'InvoiceBooklet')?.trim();
  if (stated !== undefined && stated !== '' && Number(stated) !== booklets) {
    ctx.error('booklet', child(range.element, 'InvoiceBooklet'), 'bookletCount', {
      item: range.item,
      stated,
      booklets,
      begin: pad(range.begin),
      end: pad(range.end),
    });
  }
}

function readRange(element: Element, item: number): Range | null {
  const begin = textAt(element, 'InvoiceBeginNo')?.trim();
  const end = textAt(element, 'InvoiceEndNo')?.trim();
  if (!begin || !end || !/^\d{8}$/.test(begin) || !/^\d{8}$/.test(end)) return null; // the schema said so
  return { begin: Number(begin), end: Number(end), element, item };
}

function pad(n: number): string {
  return String(n).padStart(8, '0');
}
