/**
 * The two reports written beside a file in ERR: `<name>.err.json` (codes and messages, for
 * programs) and `<name>.err.txt` (for the person at the ERP). Pure: built only from what the store
 * records, so a report rewritten after a crash is the same report.
 */

export interface ReportFinding {
  code: string;
  message: string;
  line: number | null;
  path: string | null;
}

export interface ErrReportInput {
  /** The name the ERP gave the file. */
  fileName: string;
  /** Data-root relative: where it was dropped, and where it now is. */
  droppedIn: string;
  filedAs: string;
  receivedAt: number;
  messageId: number;
  messageType: string | null;
  invoiceIdentifier: string | null;
  sha256: string;
  size: number;
  errors: ReportFinding[];
  warnings: ReportFinding[];
}

/** The report of a refused file, from what the store records of it (at intake, and again at refiling). */
export function errReportInput(args: {
  fileName: string;
  folderBase: string;
  filedAs: string;
  receivedAt: number;
  messageId: number;
  messageType: string | null;
  invoiceIdentifier: string | null;
  sha256: string;
  size: number;
  findings: { errors: ReportFinding[]; warnings: ReportFinding[] } | null;
}): ErrReportInput {
  const { fileName, folderBase, findings, ...rest } = args;
  return {
    ...rest,
    fileName,
    droppedIn: `${folderBase}/SRC/${fileName}`,
    errors: findings?.errors ?? [],
    warnings: findings?.warnings ?? [],
  };
}

const HINTS: Record<string, string> = {
  'wrong-folder': 'The file holds another message type than its folder. Drop it into the SRC folder of its own type.',
  'duplicate-conflict':
    'A different message with the same number and date was already accepted. To change an issued invoice, send a cancel (F0501) and ' +
    'issue a new invoice; if this file was meant as the same message, compare it with the first one.',
  'too-large': 'The file is larger than validation.maxBytes in the configuration. Check that the ERP wrote one message per file.',
  wellformed: 'The file is not well-formed XML. Check that the ERP finished writing it and wrote UTF-8.',
  encoding: 'MIG messages are UTF-8. Make the ERP write UTF-8 (not Big5, UTF-16 or UTF-32), then drop the file again.',
  'not-a-file':
    'Only regular files are taken from SRC: links are never followed, FIFOs, sockets and folders are not read. Have the ERP write (or ' +
    'copy) the message file itself into SRC.',
  unreadable:
    'The user that runs turnkey could not read this file. Give it read permission on what the ERP writes (its umask, or the group ' +
    'setting), then drop the file again.',
  'validator-failure': 'The validator could not check this file. Please report it to the turnkey maintainers, with the file.',
  'unknown-message': 'The root element and namespace are not a MIG 4.1 message this folder accepts.',
};

const DEFAULT_HINT = 'Correct the message in the ERP and drop the corrected file into the SRC folder again.';

export function errReportJson(input: ErrReportInput): string {
  const codes = [...new Set(input.errors.map((e) => e.code))];
  return `${JSON.stringify(
    {
      file: input.fileName,
      droppedIn: input.droppedIn,
      filedAs: input.filedAs,
      receivedAt: new Date(input.receivedAt).toISOString(),
      messageId: input.messageId,
      messageType: input.messageType,
      invoiceIdentifier: input.invoiceIdentifier,
      sha256: input.sha256,
      size: input.size,
      codes,
      errors: input.errors,
      warnings: input.warnings,
      hint: hintFor(codes),
    },
    null,
    2,
  )}\n`;
}

export function errReportText(input: ErrReportInput): string {
  const lines: string[] = [];
  lines.push(`turnkey refused ${input.fileName}`);
  lines.push('');
  lines.push(`  dropped in:  ${input.droppedIn}`);
  lines.push(`  received:    ${new Date(input.receivedAt).toISOString()}`);
  if (input.invoiceIdentifier ?? input.messageType) lines.push(`  message:     ${input.invoiceIdentifier ?? input.messageType}`);
  lines.push(`  size:        ${input.size} bytes, SHA-256 ${input.sha256}`);
  lines.push(`  record:      message #${input.messageId} (turnkey status shows its history)`);
  lines.push('');
  lines.push(`Errors (${input.errors.length}):`);
  for (const e of input.errors) lines.push(`  [${e.code}]${where(e)} ${e.message}`);
  if (input.warnings.length > 0) {
    lines.push('');
    lines.push(`Warnings (${input.warnings.length}):`);
    for (const w of input.warnings) lines.push(`  [${w.code}]${where(w)} ${w.message}`);
  }
  lines.push('');
  lines.push(`What to do: ${hintFor(input.errors.map((e) => e.code))}`);
  return `${lines.join('\n')}\n`;
}

function where(f: ReportFinding): string {
  const parts = [f.line !== null ? `line ${f.line}` : null, f.path].filter((p) => p !== null);
  return parts.length > 0 ? ` ${parts.join(', ')}:` : '';
}

function hintFor(codes: string[]): string {
  for (const code of codes) {
    const hint = HINTS[code];
    if (hint) return hint;
  }
  return DEFAULT_HINT;
}
