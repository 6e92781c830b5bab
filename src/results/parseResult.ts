import { child, children, textAt, type Element } from '../validation/xml/tree.js';

/** One `Info` of a ProcessResult: a code (`0000` success) and what it is about. */
export interface ResultInfo {
  code: string;
  description: string | null;
  /** Parameter0..Parameter4, e.g. ['InvoiceNumber', 'AB12345678']. */
  parameters: string[];
}

export interface ProcessResultContent {
  kind: 'ProcessResult';
  /** The common name of the pack it is about. */
  messageId: string;
  messageType: string | null;
  infos: ResultInfo[];
}

export interface InvoiceRef {
  number: string;
  date: string | null;
}

/** One Message of a SummaryResult. A count that is absent or not a whole number is null (never read as 0). */
export interface SummaryEntry {
  messageId: string;
  messageType: string | null;
  total: number | null;
  good: { count: number | null; invoices: InvoiceRef[] | null };
  failed: { count: number | null; invoices: InvoiceRef[] | null };
}

export interface SummaryResultContent {
  kind: 'SummaryResult';
  entries: SummaryEntry[];
}

export const SUCCESS_CODE = '0000';

/** Reads a ProcessResult already checked against its schema. */
export function readProcessResult(root: Element): ProcessResultContent {
  return {
    kind: 'ProcessResult',
    messageId: textAt(root, 'MessageInfo/Id') ?? '',
    messageType: textAt(root, 'MessageInfo/MessageType'),
    infos: children(child(root, 'Result'), 'Info').map((info) => ({
      code: textAt(info, 'Code') ?? '',
      description: textAt(info, 'Description') || null,
      parameters: [0, 1, 2, 3, 4].map((i) => textAt(info, `Parameter${i}`)).filter((p): p is string => p !== null),
    })),
  };
}

/**
 * Reads a SummaryResult already checked against its schema. The schema accepts the two shapes seen
 * in the wild (`ResultType` or `Result`, counts optionally wrapped in `ResultDetailType`); an absent
 * invoice list is `null`, which is not the same as an empty one.
 */
export function readSummaryResult(root: Element): SummaryResultContent {
  return {
    kind: 'SummaryResult',
    entries: children(child(root, 'DetailList'), 'Message').map((message) => {
      let result = child(message, 'ResultType') ?? child(message, 'Result');
      result = child(result, 'ResultDetailType') ?? result;
      return {
        messageId: textAt(message, 'Info/Id') ?? '',
        messageType: textAt(message, 'Info/MessageType'),
        total: count(child(result, 'Total')),
        good: { count: count(child(result, 'Good')), invoices: invoices(child(result, 'Good')) },
        failed: { count: count(child(result, 'Failed')), invoices: invoices(child(result, 'Failed')) },
      };
    }),
  };
}

function count(element: Element | null): number | null {
  const text = textAt(element, 'Count')?.trim();
  return text !== undefined && /^\d{1,9}$/.test(text) ? Number(text) : null;
}

function invoices(element: Element | null): InvoiceRef[] | null {
  const list = child(element, 'Invoices');
  if (!list) return null;
  return children(list, 'Invoice').map((i) => ({ number: textAt(i, 'ReferenceNumber') ?? '', date: textAt(i, 'InvoiceDate') || null }));
}
