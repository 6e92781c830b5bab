/**
 * The MIG message catalog: what each message type is, where Turnkey files it, and how to recognise
 * it. Pure data; the type and version of a document are read from its root namespace (never from a
 * file name).
 */

export type Category = 'B2SSTORAGE' | 'B2PMESSAGE';

/** Messages with the same family share a shape and the same business rules across versions. */
export type MessageFamily =
  | 'invoice'
  | 'invoice-cancel'
  | 'invoice-void'
  | 'allowance'
  | 'allowance-cancel'
  | 'branch-track'
  | 'branch-track-blank'
  | 'assign-no'
  | 'envelope'
  | 'process-result'
  | 'summary-result';

export interface MessageSpec {
  /** The MIG message type in force, e.g. `F0401`. */
  type: string;
  family: MessageFamily;
  /** Turnkey's UpCast category; null for messages that are never sent by the merchant. */
  category: Category | null;
  root: string;
  /** The file in `schemas/` (and in an official `xsd/v41/` folder) that defines it. */
  schemaFile: string;
  /** True for messages the ERP drops into `UpCast/<category>/<type>/SRC/`. */
  outbound: boolean;
  title: { en: string; 'zh-TW': string };
}

export const CURRENT_VERSION = '4.1';

/** Namespaces of MIG 4.1 messages are `urn:GEINV:eInvoiceMessage:<MIG>:4.1`. */
export const MESSAGES: readonly MessageSpec[] = [
  spec('F0401', 'invoice', 'B2SSTORAGE', 'Invoice', 'Issue an invoice', '開立發票'),
  spec('F0501', 'invoice-cancel', 'B2SSTORAGE', 'CancelInvoice', 'Cancel an invoice', '作廢發票'),
  spec('F0701', 'invoice-void', 'B2SSTORAGE', 'VoidInvoice', 'Void an invoice', '註銷發票'),
  spec('G0401', 'allowance', 'B2SSTORAGE', 'Allowance', 'Allowance (credit note)', '折讓證明單'),
  spec('G0501', 'allowance-cancel', 'B2SSTORAGE', 'CancelAllowance', 'Cancel an allowance', '作廢折讓'),
  spec('E0401', 'branch-track', 'B2PMESSAGE', 'BranchTrack', 'Branch number allocation', '分支機構配號'),
  spec('E0402', 'branch-track-blank', 'B2PMESSAGE', 'BranchTrackBlank', 'Unused blank numbers', '空白未使用字軌'),
  { ...spec('E0501', 'assign-no', null, 'InvoiceAssignNo', 'Number allocation from the platform', '配號'), outbound: false },
  {
    ...spec('InvoiceEnvelope', 'envelope', null, 'InvoiceEnvelope', 'Invoice envelope', '傳輸信封'),
    outbound: false,
  },
  {
    ...spec('ProcessResult', 'process-result', null, 'ProcessResult', 'Processing result', '處理結果'),
    outbound: false,
  },
  {
    ...spec('SummaryResult', 'summary-result', null, 'SummaryResult', 'Summary result', '彙總結果'),
    outbound: false,
  },
];

/**
 * Messages of MIG 3.2 (retired on 2026-01-01) and what replaced them. Known so that a 3.2 file in
 * a 4.1 set-up is named for what it is, and so that the official 3.2 schemas can be dropped in for
 * checking old exports.
 */
export const RETIRED: Readonly<Record<string, { family: MessageFamily; root: string; replacedBy: string }>> = {
  A0401: { family: 'invoice', root: 'Invoice', replacedBy: 'F0401' },
  C0401: { family: 'invoice', root: 'Invoice', replacedBy: 'F0401' },
  A0501: { family: 'invoice-cancel', root: 'CancelInvoice', replacedBy: 'F0501' },
  C0501: { family: 'invoice-cancel', root: 'CancelInvoice', replacedBy: 'F0501' },
  C0701: { family: 'invoice-void', root: 'VoidInvoice', replacedBy: 'F0701' },
  B0401: { family: 'allowance', root: 'Allowance', replacedBy: 'G0401' },
  D0401: { family: 'allowance', root: 'Allowance', replacedBy: 'G0401' },
  B0501: { family: 'allowance-cancel', root: 'CancelAllowance', replacedBy: 'G0501' },
  D0501: { family: 'allowance-cancel', root: 'CancelAllowance', replacedBy: 'G0501' },
  E0401: { family: 'branch-track', root: 'BranchTrack', replacedBy: 'E0401' },
  E0402: { family: 'branch-track-blank', root: 'BranchTrackBlank', replacedBy: 'E0402' },
};

export function messageNamespace(type: string, version: string = CURRENT_VERSION): string {
  switch (type) {
    case 'InvoiceEnvelope':
      return `urn:GEINV:InvoiceEnvelope:${version}`;
    case 'ProcessResult':
      return `urn:GEINV:ProcessResult:${version}`;
    case 'SummaryResult':
      return `urn:GEINV:SummaryResult:${version}`;
    default:
      return `urn:GEINV:eInvoiceMessage:${type}:${version}`;
  }
}

const BY_TYPE = new Map(MESSAGES.map((m) => [m.type, m]));
const BY_NAMESPACE = new Map(MESSAGES.map((m) => [messageNamespace(m.type), m]));

export function messageSpec(type: string): MessageSpec | undefined {
  return BY_TYPE.get(type);
}

/** The message types an ERP drops for sending, with their UpCast category. */
export function outboundMessages(): MessageSpec[] {
  return MESSAGES.filter((m) => m.outbound);
}

export type Identification =
  | { kind: 'current'; spec: MessageSpec; version: string }
  /** A known message of another version (e.g. C0401 3.2). */
  | { kind: 'other-version'; type: string; family: MessageFamily; version: string; replacedBy: string; root: string }
  | { kind: 'unknown' };

const NAMESPACE_PATTERN = /^urn:GEINV:(?:eInvoiceMessage:)?([A-Za-z0-9]+):(\d+\.\d+)$/;

/** Recognise a document from its root element's namespace and local name. */
export function identify(namespace: string | null, localName: string): Identification {
  const ns = (namespace ?? '').trim();
  const current = BY_NAMESPACE.get(ns);
  if (current && current.root === localName) return { kind: 'current', spec: current, version: CURRENT_VERSION };
  const match = NAMESPACE_PATTERN.exec(ns);
  if (!match) return { kind: 'unknown' };
  const [, type, version] = match as unknown as [string, string, string];
  const retired = RETIRED[type];
  if (retired && retired.root === localName) {
    return { kind: 'other-version', type, family: retired.family, version, replacedBy: retired.replacedBy, root: localName };
  }
  const known = BY_TYPE.get(type);
  if (known && known.root === localName) {
    return { kind: 'other-version', type, family: known.family, version, replacedBy: known.type, root: localName };
  }
  return { kind: 'unknown' };
}

/** Turnkey's INVOICE_IDENTIFIER: `<MIG><number><date>`, e.g. `F0401LY4214065020210821`. */
export function invoiceIdentifier(type: string, number: string, date: string): string {
  return `${type}${number}${date}`;
}

function spec(type: string, family: MessageFamily, category: Category | null, root: string, en: string, zh: string): MessageSpec {
  return { type, family, category, root, schemaFile: `${type}.xsd`, outbound: category !== null, title: { en, 'zh-TW': zh } };
}
