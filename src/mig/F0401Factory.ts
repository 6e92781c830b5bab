/**
 * Builds correct MIG 4.1 F0401 (issue an invoice) documents in bulk, for benchmarks and tests that
 * need thousands of distinct, valid messages, and for warming a validator up (validation/warmUp).
 * Every document passes the validator: checksummed seller BAN, B2C buyer with PrintMark Y,
 * tax-excluded item amounts that sum to SalesAmount, TaxAmount = round(SalesAmount x 0.05),
 * TotalAmount = SalesAmount + TaxAmount, issued an hour ago in Taiwan time (never in the future).
 */
import { taiwanDay, taiwanStamp } from '../time/taiwanTime.js';

const BAN_WEIGHTS = [1, 2, 1, 2, 1, 2, 4, 1] as const;

export interface F0401Item {
  description: string;
  quantity: number;
  /** Tax-excluded unit price, a whole number of NT$. */
  unitPrice: number;
}

export interface F0401Spec {
  /** Two upper-case letters + eight digits. */
  number: string;
  /** yyyyMMdd; default: the day of an hour ago in Taiwan time, or yesterday when only a time is given. */
  date?: string;
  /** HH:mm:ss; default: an hour ago in Taiwan time, or 10:00:00 when a date is given. */
  time?: string;
  sellerId?: string;
  sellerName?: string;
  /** Default `0000000000` (a consumer). */
  buyerId?: string;
  buyerName?: string;
  items?: F0401Item[];
}

/** The BAN checksum (DOMAIN.md): weights 1,2,1,2,1,2,4,1, digits of each product summed, divisible by 5. */
export function isValidBan(ban: string): boolean {
  if (!/^\d{8}$/.test(ban)) return false;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const product = (ban.charCodeAt(i) - 48) * BAN_WEIGHTS[i]!;
    sum += Math.floor(product / 10) + (product % 10);
  }
  return sum % 5 === 0 || (ban[6] === '7' && (sum + 1) % 5 === 0);
}

/** The smallest valid BAN that starts with the given seven digits (the last digit is the check). */
export function banWithPrefix(prefix7: string): string {
  if (!/^\d{7}$/.test(prefix7)) throw new Error(`a BAN prefix is seven digits, got "${prefix7}"`);
  for (let last = 0; last <= 9; last++) {
    const ban = `${prefix7}${last}`;
    if (isValidBan(ban)) return ban;
  }
  // Some prefixes have no valid check digit; the next prefix always has one.
  return banWithPrefix(String(Number(prefix7) + 1).padStart(7, '0'));
}

/** Invoice number `<letters><8 digits>` for a sequence index. */
export function invoiceNumber(index: number, letters = 'AB'): string {
  if (!/^[A-Z]{2}$/.test(letters)) throw new Error(`invoice letters are two upper-case letters, got "${letters}"`);
  if (!Number.isInteger(index) || index < 0 || index > 99_999_999) throw new Error(`invoice index out of range: ${index}`);
  return `${letters}${String(index).padStart(8, '0')}`;
}

/** yyyyMMdd of a day in Taiwan time (UTC+8), `daysAgo` days before `now`. */
export function taiwanDate(now: Date = new Date(), daysAgo = 0): string {
  return taiwanDay(now.getTime() - daysAgo * 86_400_000);
}

export const DEFAULT_SELLER_ID = banWithPrefix('2463410');

const DEFAULT_ITEMS: F0401Item[] = [
  { description: '咖啡豆 Coffee beans 250g', quantity: 2, unitPrice: 350 },
  { description: 'Paper filter 100 pcs', quantity: 1, unitPrice: 80 },
];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The F0401 document as a string (UTF-8 when written). */
export function f0401Xml(spec: F0401Spec): string {
  if (!/^[A-Z]{2}\d{8}$/.test(spec.number)) throw new Error(`not an invoice number: "${spec.number}"`);
  const items = spec.items ?? DEFAULT_ITEMS;
  const buyerId = spec.buyerId ?? '0000000000';
  const lines = items.map((item, i) => {
    const amount = item.quantity * item.unitPrice;
    return (
      `    <ProductItem>\n` +
      `      <Description>${escapeXml(item.description)}</Description>\n` +
      `      <Quantity>${item.quantity}</Quantity>\n` +
      `      <UnitPrice>${item.unitPrice}</UnitPrice>\n` +
      `      <TaxType>1</TaxType>\n` +
      `      <Amount>${amount}</Amount>\n` +
      `      <SequenceNumber>${i + 1}</SequenceNumber>\n` +
      `    </ProductItem>\n`
    );
  });
  // An hour ago, not a fixed hour of yesterday: a B2C invoice's 48-hour deadline stays 47 hours off,
  // so no test's verdict depends on the hour it runs at (yesterday 10:00 was "at risk" after 22:00).
  // A time given alone is yesterday's: today's could still be ahead.
  const issuedAt = taiwanStamp(Date.now() - 3600_000);
  const clock = `${issuedAt.slice(8, 10)}:${issuedAt.slice(10, 12)}:${issuedAt.slice(12, 14)}`;
  const date = spec.date ?? (spec.time === undefined ? issuedAt.slice(0, 8) : taiwanDate(new Date(), 1));
  const time = spec.time ?? (spec.date === undefined ? clock : '10:00:00');
  const sales = items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  const tax = Math.round(sales * 0.05);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<Invoice xmlns="urn:GEINV:eInvoiceMessage:F0401:4.1">\n` +
    `  <Main>\n` +
    `    <InvoiceNumber>${spec.number}</InvoiceNumber>\n` +
    `    <InvoiceDate>${date}</InvoiceDate>\n` +
    `    <InvoiceTime>${time}</InvoiceTime>\n` +
    `    <Seller>\n` +
    `      <Identifier>${spec.sellerId ?? DEFAULT_SELLER_ID}</Identifier>\n` +
    `      <Name>${escapeXml(spec.sellerName ?? '好咖啡股份有限公司')}</Name>\n` +
    `    </Seller>\n` +
    `    <Buyer>\n` +
    `      <Identifier>${buyerId}</Identifier>\n` +
    `      <Name>${escapeXml(spec.buyerName ?? (buyerId === '0000000000' ? '0000' : 'Buyer Co.'))}</Name>\n` +
    `    </Buyer>\n` +
    `    <InvoiceType>07</InvoiceType>\n` +
    `    <DonateMark>0</DonateMark>\n` +
    `    <PrintMark>Y</PrintMark>\n` +
    `  </Main>\n` +
    `  <Details>\n` +
    lines.join('') +
    `  </Details>\n` +
    `  <Amount>\n` +
    `    <SalesAmount>${sales}</SalesAmount>\n` +
    `    <FreeTaxSalesAmount>0</FreeTaxSalesAmount>\n` +
    `    <ZeroTaxSalesAmount>0</ZeroTaxSalesAmount>\n` +
    `    <TaxType>1</TaxType>\n` +
    `    <TaxRate>0.05</TaxRate>\n` +
    `    <TaxAmount>${tax}</TaxAmount>\n` +
    `    <TotalAmount>${sales + tax}</TotalAmount>\n` +
    `  </Amount>\n` +
    `</Invoice>\n`
  );
}

/** The same document with its TotalAmount off by one: valid XML, broken arithmetic (`amount-total`). */
export function f0401XmlWithWrongTotal(spec: F0401Spec): string {
  return f0401Xml(spec).replace(
    /<TotalAmount>(\d+)<\/TotalAmount>/,
    (_, total: string) => `<TotalAmount>${Number(total) + 1}</TotalAmount>`,
  );
}

/**
 * An F0501 (cancel) of an invoice, for wrong-folder and cancel-is-not-a-duplicate cases. Its dates
 * default to yesterday (its CancelTime is 12:00, which today could still be ahead), so they need
 * not match an f0401Xml issued at its own default; give `invoiceDate` where they must.
 */
export function f0501Xml(spec: { number: string; invoiceDate?: string; sellerId?: string; cancelDate?: string }): string {
  const invoiceDate = spec.invoiceDate ?? taiwanDate(new Date(), 1);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<CancelInvoice xmlns="urn:GEINV:eInvoiceMessage:F0501:4.1">\n` +
    `  <CancelInvoiceNumber>${spec.number}</CancelInvoiceNumber>\n` +
    `  <InvoiceDate>${invoiceDate}</InvoiceDate>\n` +
    `  <BuyerId>0000000000</BuyerId>\n` +
    `  <SellerId>${spec.sellerId ?? DEFAULT_SELLER_ID}</SellerId>\n` +
    `  <CancelDate>${spec.cancelDate ?? invoiceDate}</CancelDate>\n` +
    `  <CancelTime>11:00:00</CancelTime>\n` +
    `  <CancelReason>Wrong amount</CancelReason>\n` +
    `</CancelInvoice>\n`
  );
}
