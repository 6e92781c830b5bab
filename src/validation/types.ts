/**
 * What validation tells about one message. This shape is the contract between validation and
 * the rest of the pipeline (intake, store, simulator, CLI): keep it stable.
 */

/** Every finding has a stable code; decisions are made on codes, never on message text. */
export type FindingCode =
  | 'wellformed'
  | 'encoding'
  | 'too-large'
  | 'unsafe-xml'
  | 'unknown-message'
  | 'xsd'
  | 'ban-checksum'
  | 'date-invalid'
  | 'date-future'
  | 'date-order'
  | 'amount-total'
  | 'amount-tax'
  | 'amount-items'
  | 'tax-rate'
  | 'b2c-proof'
  | 'b2b-carrier'
  | 'b2c-tax-included'
  | 'duplicate'
  | 'allowance-type'
  | 'allowance-form'
  | 'range-order'
  | 'range-overlap'
  | 'range-outside'
  | 'booklet'
  | 'schema-defect'
  | IntakeRefusalCode;

/**
 * Codes intake gives a file it could not hand to the validator (they travel in the same report):
 * an entry of SRC that is not a regular file (a link, a FIFO, a folder), a file the daemon's user
 * cannot read, a file the validator threw on.
 */
export type IntakeRefusalCode = 'not-a-file' | 'unreadable' | 'validator-failure';

export interface Finding {
  code: FindingCode;
  message: string;
  /** 1-based line in the input, when known. */
  line: number | null;
  /** Element path in the input (e.g. `/Invoice/Amount/TaxAmount`), when known. */
  path: string | null;
}

/** The fields of a message the pipeline needs without re-parsing it. Absent values are null. */
export interface MessageFields {
  /** Invoice number, allowance number, or (E0401/E0402) the track + first number. */
  number: string | null;
  /** yyyyMMdd: invoice/allowance date (for cancels and voids: the original invoice's date). */
  date: string | null;
  /** yyyyMMdd: the cancel/void date, when the message is a cancel or void. */
  actionDate: string | null;
  /** HH:mm:ss of the message's own act (issue, cancel, void), when it has one (an allowance has none). */
  time: string | null;
  sellerId: string | null;
  sellerName: string | null;
  buyerId: string | null;
  buyerName: string | null;
  /** TotalAmount as written (decimal string), when the message has one. */
  totalAmount: string | null;
  taxAmount: string | null;
  /**
   * The invoices an allowance (G0401) is about, from its items: each original invoice's number and
   * date, and what the allowance takes off it (its items' Amount + Tax, a decimal string).
   */
  references: Array<{ number: string; date: string; amount: string }>;
  /** `07` or `08`: an invoice's and an E0401/E0402's InvoiceType; null for other messages. */
  invoiceType: string | null;
  /** E0401/E0402: the ranges of Details, as written (eight digits each). */
  ranges: Array<{ begin: string; end: string }>;
}

export interface ValidationReport {
  /** As given by the caller (a path, or a name); null when validating bytes with no name. */
  file: string | null;
  /** e.g. `F0401`; null when the root is not a known message. */
  messageType: string | null;
  /** e.g. `4.1`; null when unknown. */
  version: string | null;
  /** Turnkey's category folder, e.g. `B2SSTORAGE`; null when unknown. */
  category: string | null;
  /** The message's key: number and date. */
  key: { number: string; date: string } | null;
  /** Turnkey's INVOICE_IDENTIFIER: `<MIG><number><date>`. */
  invoiceIdentifier: string | null;
  valid: boolean;
  errors: Finding[];
  /** Things worth telling that do not make the message invalid. */
  warnings: Finding[];
  fields: MessageFields | null;
}

/**
 * A validator reached by a promise: in the daemon, the validation thread's, so that the main thread
 * never loads libxml2 (about 26 MB of memory) nor waits on a large document.
 */
export interface AsyncValidator {
  validate(bytes: Uint8Array, options?: { file?: string }): Promise<ValidationReport>;
}

/** The schema folder a validator compiled, and what it repaired in it (reported once, at start). */
export interface SchemaInfo {
  dir: string;
  warnings: Finding[];
}

/** A report for input that was refused before (or without) reading it as a message. */
export function refusedReport(file: string | null, errors: Finding[]): ValidationReport {
  return {
    file,
    messageType: null,
    version: null,
    category: null,
    key: null,
    invoiceIdentifier: null,
    valid: false,
    errors,
    warnings: [],
    fields: null,
  };
}
