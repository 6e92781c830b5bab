import { xmlText } from '../results/xmlText.js';
import { pad, type Allocation } from './AllocationBook.js';

export const E0501_NAMESPACE = 'urn:GEINV:eInvoiceMessage:E0501:4.1';

/** One allocation as an E0501 `InvoiceAssignNo` message (schemas/E0501.xsd). */
export function e0501MessageXml(allocation: Allocation): string {
  return (
    `<InvoiceAssignNo xmlns="${E0501_NAMESPACE}">\n` +
    `  <Ban>${xmlText(allocation.partyId)}</Ban>\n` +
    `  <InvoiceType>${allocation.invoiceType}</InvoiceType>\n` +
    `  <YearMonth>${allocation.period}</YearMonth>\n` +
    `  <InvoiceTrack>${allocation.track}</InvoiceTrack>\n` +
    `  <InvoiceBeginNo>${pad(allocation.begin)}</InvoiceBeginNo>\n` +
    `  <InvoiceEndNo>${pad(allocation.end)}</InvoiceEndNo>\n` +
    `  <InvoiceBooklet>${allocation.booklets}</InvoiceBooklet>\n` +
    `</InvoiceAssignNo>\n`
  );
}
