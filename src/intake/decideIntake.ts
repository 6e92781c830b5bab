/**
 * What happens to one claimed file, decided from its validation report, its hash and the message
 * that already holds its key (if any). Pure.
 */
import type { ValidationReport } from '../validation/types.js';
import type { KeyHolder } from '../store/MessageQueries.js';
import type { ReportFinding } from './ErrReport.js';

/** Codes the intake adds to the validator's. */
export type IntakeErrorCode = 'wrong-folder' | 'duplicate-conflict';

export type IntakeDecision =
  /** Valid, and its key is free: a new message, filed in BAK. */
  | { kind: 'new'; messageKey: string }
  /** The same message again (same key, same bytes): no new row, filed in BAK, event on the holder. */
  | { kind: 'duplicate'; messageKey: string; holder: KeyHolder }
  /** Refused: a new `invalid` message, filed in ERR with a report. */
  | { kind: 'invalid'; messageKey: string | null; errors: ReportFinding[]; conflictWith: KeyHolder | null };

/**
 * The key of a message: Turnkey's INVOICE_IDENTIFIER (`<MIG><number><date>`), which names the type,
 * so a cancel of an invoice has its own key. A valid message without one (should not happen) is
 * keyed by its content so that dropping it twice is still recognised.
 */
export function messageKeyOf(report: ValidationReport, sha256: string): string | null {
  if (report.invoiceIdentifier) return report.invoiceIdentifier;
  if (report.valid && report.messageType) return `${report.messageType}#${sha256}`;
  return null;
}

export function decideIntake(
  folderType: string,
  report: ValidationReport,
  sha256: string,
  holderOf: (messageKey: string) => KeyHolder | undefined,
): IntakeDecision {
  const messageKey = messageKeyOf(report, sha256);
  const errors: ReportFinding[] = [];
  if (report.messageType !== null && report.messageType !== folderType) {
    errors.push({
      code: 'wrong-folder',
      message: `this is a ${report.messageType} message in the ${folderType} folder; it belongs in UpCast/${report.category ?? '<category>'}/${report.messageType}/SRC/`,
      line: null,
      path: null,
    });
  }
  errors.push(...report.errors);
  if (errors.length > 0 || !report.valid || messageKey === null) {
    return { kind: 'invalid', messageKey, errors, conflictWith: null };
  }
  const holder = holderOf(messageKey);
  if (!holder) return { kind: 'new', messageKey };
  if (holder.sha256 === sha256) return { kind: 'duplicate', messageKey, holder };
  return {
    kind: 'invalid',
    messageKey,
    conflictWith: holder,
    errors: [
      {
        code: 'duplicate-conflict',
        message: `${messageKey} was already accepted as message #${holder.id} (received ${new Date(holder.receivedAt).toISOString()}) with other content; a message is never overwritten`,
        line: null,
        path: null,
      },
    ],
  };
}
