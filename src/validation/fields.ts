import type { MessageFamily } from '../mig/catalog.js';
import { allowanceReferences } from './rules/allowance.js';
import type { MessageFields } from './types.js';
import { child, children, textAt, type Element } from './xml/tree.js';

/** Where each family keeps its key fields (paths of child names from the root). */
interface FieldMap {
  number: string;
  date: string;
  actionDate?: string;
  /** The time of the message's own act: the issue time of an invoice, the time of a cancel or void. */
  time?: string;
  sellerId?: string;
  sellerName?: string;
  buyerId?: string;
  buyerName?: string;
  totalAmount?: string;
  taxAmount?: string;
  invoiceType?: string;
}

const FIELD_MAPS: Partial<Record<MessageFamily, FieldMap>> = {
  invoice: {
    number: 'Main/InvoiceNumber',
    date: 'Main/InvoiceDate',
    time: 'Main/InvoiceTime',
    sellerId: 'Main/Seller/Identifier',
    sellerName: 'Main/Seller/Name',
    buyerId: 'Main/Buyer/Identifier',
    buyerName: 'Main/Buyer/Name',
    totalAmount: 'Amount/TotalAmount',
    taxAmount: 'Amount/TaxAmount',
    invoiceType: 'Main/InvoiceType',
  },
  'invoice-cancel': {
    number: 'CancelInvoiceNumber',
    date: 'InvoiceDate',
    actionDate: 'CancelDate',
    time: 'CancelTime',
    sellerId: 'SellerId',
    buyerId: 'BuyerId',
  },
  'invoice-void': {
    number: 'VoidInvoiceNumber',
    date: 'InvoiceDate',
    actionDate: 'VoidDate',
    time: 'VoidTime',
    sellerId: 'SellerId',
    buyerId: 'BuyerId',
  },
  allowance: {
    number: 'Main/AllowanceNumber',
    date: 'Main/AllowanceDate',
    sellerId: 'Main/Seller/Identifier',
    sellerName: 'Main/Seller/Name',
    buyerId: 'Main/Buyer/Identifier',
    buyerName: 'Main/Buyer/Name',
    totalAmount: 'Amount/TotalAmount',
    taxAmount: 'Amount/TaxAmount',
  },
  'allowance-cancel': {
    number: 'CancelAllowanceNumber',
    date: 'AllowanceDate',
    actionDate: 'CancelDate',
    time: 'CancelTime',
    sellerId: 'SellerId',
    buyerId: 'BuyerId',
  },
  'branch-track': {
    number: 'Main/InvoiceTrack',
    date: 'Main/YearMonth',
    sellerId: 'Main/HeadBan',
    buyerId: 'Main/BranchBan',
    invoiceType: 'Main/InvoiceType',
  },
  'branch-track-blank': {
    number: 'Main/InvoiceTrack',
    date: 'Main/YearMonth',
    sellerId: 'Main/HeadBan',
    buyerId: 'Main/BranchBan',
    invoiceType: 'Main/InvoiceType',
  },
};

/**
 * Reads the key fields of a message. For E0401/E0402 the "number" is the track and the first number
 * of the first range (e.g. `AB12345600`) and the "date" is the period (`11410`): together they name
 * the message uniquely, as Turnkey's INVOICE_IDENTIFIER does.
 */
export function readFields(root: Element, family: MessageFamily): MessageFields | null {
  const map = FIELD_MAPS[family];
  if (!map) return null;
  const read = (path: string | undefined): string | null => (path ? nonEmpty(textAt(root, path)) : null);
  let number = read(map.number);
  if (family === 'branch-track' || family === 'branch-track-blank') {
    const first = firstRangeStart(root, family);
    number = number && first ? `${number}${first}` : number;
  }
  return {
    number,
    date: read(map.date),
    actionDate: read(map.actionDate),
    time: read(map.time),
    sellerId: read(map.sellerId),
    sellerName: read(map.sellerName),
    buyerId: read(map.buyerId),
    buyerName: read(map.buyerName),
    totalAmount: read(map.totalAmount),
    taxAmount: read(map.taxAmount),
    references: family === 'allowance' ? allowanceReferences(root) : [],
    invoiceType: read(map.invoiceType),
    ranges: family === 'branch-track' || family === 'branch-track-blank' ? rangesOf(root, family) : [],
  };
}

function rangesOf(root: Element, family: MessageFamily): Array<{ begin: string; end: string }> {
  const itemName = family === 'branch-track' ? 'BranchTrackItem' : 'BranchTrackBlankItem';
  return children(child(root, 'Details'), itemName).map((item) => ({
    begin: textAt(item, 'InvoiceBeginNo') ?? '',
    end: textAt(item, 'InvoiceEndNo') ?? '',
  }));
}

function firstRangeStart(root: Element, family: MessageFamily): string | null {
  const itemName = family === 'branch-track' ? 'BranchTrackItem' : 'BranchTrackBlankItem';
  const item = children(child(root, 'Details'), itemName)[0];
  return nonEmpty(textAt(item ?? null, 'InvoiceBeginNo')) ?? nonEmpty(textAt(root, 'Main/InvoiceBeginNo'));
}

function nonEmpty(value: string | null): string | null {
  return value === null || value === '' ? null : value;
}
