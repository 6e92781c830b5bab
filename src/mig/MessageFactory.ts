/**
 * Builds correct MIG 4.1 messages of every type the ERP sends, for tests and benchmarks that need
 * a realistic mix: invoices (F0401Factory), their cancels (F0501), voids (F0701), allowances
 * (G0401) and allowance cancels (G0501), branch allocations (E0401) and blank-number reports
 * (E0402). Each document passes the validator and the rules intake applies against the store
 * (an allowance takes less than its invoice, a cancelled invoice has no allowance, ranges are
 * whole booklets), so a mixed drop flows to the platform.
 */
import { periodOfDate } from '../time/periods.js';
import { banWithPrefix, DEFAULT_SELLER_ID, f0401Xml, f0501Xml, invoiceNumber, taiwanDate } from './F0401Factory.js';

export interface GeneratedMessage {
  type: string;
  /** The file name to drop it under. */
  name: string;
  xml: string;
  /** The number the platform and the store know it by (invoice, allowance, or track + first number). */
  number: string;
}

/** A branch of the default seller, for E0401. */
export const DEFAULT_BRANCH_ID = banWithPrefix('4265197');

/** What the default F0401 totals (2 × 350 + 80, plus 5%): an allowance must stay under it. */
const DEFAULT_INVOICE_TOTAL = 819;

export function f0701Xml(spec: { number: string; invoiceDate: string; sellerId?: string; voidDate?: string }): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<VoidInvoice xmlns="urn:GEINV:eInvoiceMessage:F0701:4.1">\n` +
    `  <VoidInvoiceNumber>${spec.number}</VoidInvoiceNumber>\n` +
    `  <InvoiceDate>${spec.invoiceDate}</InvoiceDate>\n` +
    `  <BuyerId>0000000000</BuyerId>\n` +
    `  <SellerId>${spec.sellerId ?? DEFAULT_SELLER_ID}</SellerId>\n` +
    `  <VoidDate>${spec.voidDate ?? spec.invoiceDate}</VoidDate>\n` +
    `  <VoidTime>11:30:00</VoidTime>\n` +
    `  <VoidReason>Wrong buyer</VoidReason>\n` +
    `</VoidInvoice>\n`
  );
}

/** An allowance (seller-issued, AllowanceType 2) of `amount` + 5% tax on one invoice. */
export function g0401Xml(spec: {
  number: string;
  date: string;
  invoiceNumber: string;
  invoiceDate: string;
  sellerId?: string;
  amount?: number;
}): string {
  const amount = spec.amount ?? 100;
  const tax = Math.round(amount * 0.05);
  const seller = spec.sellerId ?? DEFAULT_SELLER_ID;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Allowance xmlns="urn:GEINV:eInvoiceMessage:G0401:4.1">\n` +
    `  <Main>\n` +
    `    <AllowanceNumber>${spec.number}</AllowanceNumber>\n` +
    `    <AllowanceDate>${spec.date}</AllowanceDate>\n` +
    `    <Seller>\n      <Identifier>${seller}</Identifier>\n      <Name>Good Coffee Ltd</Name>\n    </Seller>\n` +
    `    <Buyer>\n      <Identifier>0000000000</Identifier>\n      <Name>0000</Name>\n    </Buyer>\n` +
    `    <AllowanceType>2</AllowanceType>\n` +
    `    <OriginalInvoiceSellerId>${seller}</OriginalInvoiceSellerId>\n` +
    `  </Main>\n` +
    `  <Details>\n` +
    `    <ProductItem>\n` +
    `      <OriginalInvoiceDate>${spec.invoiceDate}</OriginalInvoiceDate>\n` +
    `      <OriginalInvoiceNumber>${spec.invoiceNumber}</OriginalInvoiceNumber>\n` +
    `      <OriginalDescription>Coffee beans 250g</OriginalDescription>\n` +
    `      <Quantity>1</Quantity>\n` +
    `      <UnitPrice>${amount}</UnitPrice>\n` +
    `      <Amount>${amount}</Amount>\n` +
    `      <Tax>${tax}</Tax>\n` +
    `      <AllowanceSequenceNumber>1</AllowanceSequenceNumber>\n` +
    `      <TaxType>1</TaxType>\n` +
    `    </ProductItem>\n` +
    `  </Details>\n` +
    `  <Amount>\n    <TaxAmount>${tax}</TaxAmount>\n    <TotalAmount>${amount}</TotalAmount>\n  </Amount>\n` +
    `</Allowance>\n`
  );
}

export function g0501Xml(spec: { number: string; allowanceDate: string; sellerId?: string; cancelDate?: string }): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<CancelAllowance xmlns="urn:GEINV:eInvoiceMessage:G0501:4.1">\n` +
    `  <CancelAllowanceNumber>${spec.number}</CancelAllowanceNumber>\n` +
    `  <AllowanceType>2</AllowanceType>\n` +
    `  <AllowanceDate>${spec.allowanceDate}</AllowanceDate>\n` +
    `  <BuyerId>0000000000</BuyerId>\n` +
    `  <SellerId>${spec.sellerId ?? DEFAULT_SELLER_ID}</SellerId>\n` +
    `  <CancelDate>${spec.cancelDate ?? spec.allowanceDate}</CancelDate>\n` +
    `  <CancelTime>12:00:00</CancelTime>\n` +
    `  <CancelReason>Wrong amount</CancelReason>\n` +
    `</CancelAllowance>\n`
  );
}

/** The head office allots whole booklets `[begin, begin + 50 × booklets)` of `track` to a branch. */
export function e0401Xml(spec: {
  track: string;
  begin: number;
  booklets: number;
  period: string;
  headBan?: string;
  branchBan?: string;
}): string {
  const end = spec.begin + 50 * spec.booklets - 1;
  const no = (n: number): string => String(n).padStart(8, '0');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<BranchTrack xmlns="urn:GEINV:eInvoiceMessage:E0401:4.1">\n` +
    `  <Main>\n` +
    `    <HeadBan>${spec.headBan ?? DEFAULT_SELLER_ID}</HeadBan>\n` +
    `    <BranchBan>${spec.branchBan ?? DEFAULT_BRANCH_ID}</BranchBan>\n` +
    `    <InvoiceType>07</InvoiceType>\n` +
    `    <YearMonth>${spec.period}</YearMonth>\n` +
    `    <InvoiceTrack>${spec.track}</InvoiceTrack>\n` +
    `    <InvoiceBeginNo>${no(spec.begin)}</InvoiceBeginNo>\n` +
    `    <InvoiceEndNo>${no(end)}</InvoiceEndNo>\n` +
    `  </Main>\n` +
    `  <Details>\n` +
    `    <BranchTrackItem>\n` +
    `      <InvoiceBeginNo>${no(spec.begin)}</InvoiceBeginNo>\n` +
    `      <InvoiceEndNo>${no(end)}</InvoiceEndNo>\n` +
    `      <InvoiceBooklet>${spec.booklets}</InvoiceBooklet>\n` +
    `    </BranchTrackItem>\n` +
    `  </Details>\n` +
    `</BranchTrack>\n`
  );
}

/** Unused numbers of `track` in a period: each range `[begin, end]`. */
export function e0402Xml(spec: {
  track: string;
  ranges: Array<[number, number]>;
  period: string;
  headBan?: string;
  branchBan?: string;
}): string {
  const no = (n: number): string => String(n).padStart(8, '0');
  const head = spec.headBan ?? DEFAULT_SELLER_ID;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<BranchTrackBlank xmlns="urn:GEINV:eInvoiceMessage:E0402:4.1">\n` +
    `  <Main>\n` +
    `    <HeadBan>${head}</HeadBan>\n` +
    `    <BranchBan>${spec.branchBan ?? head}</BranchBan>\n` +
    `    <InvoiceType>07</InvoiceType>\n` +
    `    <YearMonth>${spec.period}</YearMonth>\n` +
    `    <InvoiceTrack>${spec.track}</InvoiceTrack>\n` +
    `  </Main>\n` +
    `  <Details>\n` +
    spec.ranges
      .map(
        ([begin, end]) =>
          `    <BranchTrackBlankItem>\n      <InvoiceBeginNo>${no(begin)}</InvoiceBeginNo>\n      ` +
          `<InvoiceEndNo>${no(end)}</InvoiceEndNo>\n    </BranchTrackBlankItem>\n`,
      )
      .join('') +
    `  </Details>\n` +
    `</BranchTrackBlank>\n`
  );
}

export interface MixOptions {
  /** Invoices (F0401) in the mix; the other types come with them, about one of each per 10 invoices. */
  invoices: number;
  sellerId?: string;
  /** Track letters of the invoices (each seller its own). */
  letters?: string;
  /** First invoice index. */
  offset?: number;
}

/**
 * A valid mix of every type, in the order an ERP would write them: per block of ten invoices, the
 * ten F0401, then a cancel of the 2nd (F0501), a void of the 3rd (F0701), an allowance on the 4th
 * (G0401), an allowance on the 5th and its cancel (G0401, G0501), a branch allocation (E0401) and
 * a blank-number report (E0402). Allowances and cancels never touch the same invoice.
 */
export function mixedMessages(options: MixOptions): GeneratedMessage[] {
  const seller = options.sellerId ?? DEFAULT_SELLER_ID;
  const letters = options.letters ?? 'MX';
  const offset = options.offset ?? 0;
  const invoiceDate = taiwanDate(new Date(), 2);
  const actionDate = taiwanDate(new Date(), 1);
  const period = periodOfDate(invoiceDate)!;
  const out: GeneratedMessage[] = [];
  const add = (type: string, number: string, xml: string, suffix = ''): void => {
    out.push({ type, name: `${type}-${number}${suffix}.xml`, xml, number });
  };
  for (let block = 0; block * 10 < options.invoices; block++) {
    const first = offset + block * 10;
    const count = Math.min(10, options.invoices - block * 10);
    for (let i = 0; i < count; i++) {
      const number = invoiceNumber(first + i, letters);
      add('F0401', number, f0401Xml({ number, date: invoiceDate, sellerId: seller }));
    }
    if (count < 10) continue;
    const nth = (i: number): string => invoiceNumber(first + i, letters);
    add('F0501', nth(1), f0501Xml({ number: nth(1), invoiceDate, sellerId: seller, cancelDate: actionDate }));
    add('F0701', nth(2), f0701Xml({ number: nth(2), invoiceDate, sellerId: seller, voidDate: actionDate }));
    const allowance = (i: number): string => `${letters}A${String(first + i).padStart(9, '0')}`;
    add(
      'G0401',
      allowance(3),
      g0401Xml({
        number: allowance(3),
        date: actionDate,
        invoiceNumber: nth(3),
        invoiceDate,
        sellerId: seller,
        amount: Math.min(100, DEFAULT_INVOICE_TOTAL - 100),
      }),
    );
    add('G0401', allowance(4), g0401Xml({ number: allowance(4), date: actionDate, invoiceNumber: nth(4), invoiceDate, sellerId: seller }));
    add('G0501', allowance(4), g0501Xml({ number: allowance(4), allowanceDate: actionDate, sellerId: seller }));
    // Ranges of the block's own, in whole booklets, far from the invoices' numbers.
    const begin = 50_000_000 + (first / 10) * 100;
    add('E0401', `${letters}${begin}`, e0401Xml({ track: letters, begin, booklets: 1, period, headBan: seller }));
    add(
      'E0402',
      `${letters}${begin + 50}`,
      e0402Xml({
        track: letters,
        ranges: [
          [begin + 50, begin + 59],
          [begin + 70, begin + 99],
        ],
        period,
        headBan: seller,
      }),
    );
  }
  return out;
}
