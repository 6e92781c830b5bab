/**
 * What happens to one claimed file, decided from its validation report, its hash, the messages
 * that already have its key, and the rules that need the store. Pure: the store is asked through
 * the context.
 */
import type { KeyHolder } from '../store/MessageQueries.js';
import { isStanding } from '../store/states.js';
import { say, type Lang } from '../validation/messages.js';
import type { ValidationReport } from '../validation/types.js';
import type { ReportFinding } from './ErrReport.js';
import { checkAgainstStore, type StoreFacts, type StoreRuleCode } from './storeRules.js';

/** Codes the intake adds to the validator's. */
export type IntakeErrorCode = 'wrong-folder' | 'duplicate-conflict' | 'sender-unknown' | StoreRuleCode;

export type IntakeDecision =
  /**
   * Valid, and its key is free (or held by a version that is over: rejected or failed): a new
   * message, filed in BAK. `supersedes` is the earlier version it corrects, if any; `takesKey`:
   * that version holds the key and gives it up.
   */
  | { kind: 'new'; messageKey: string; supersedes: KeyHolder | null; takesKey: boolean; warnings: ReportFinding[] }
  /** The same message again (same key, same bytes, still standing): no new row, filed in BAK, event on the holder. */
  | { kind: 'duplicate'; messageKey: string; holder: KeyHolder }
  /** Refused: a new `invalid` message, filed in ERR with a report. */
  | { kind: 'invalid'; messageKey: string | null; errors: ReportFinding[]; warnings: ReportFinding[]; conflictWith: KeyHolder | null };

export interface IntakeContext {
  /** The message holding this key, if any. */
  holderOf(messageKey: string): KeyHolder | undefined;
  /** The last message recorded with this key, holding it or not (an invalid earlier version). */
  latestOf(number: string, messageKey: string): KeyHolder | undefined;
  facts: StoreFacts;
  /** Whether a configured sender may send for this seller; absent when nothing is sent. */
  covers?: (sellerId: string) => boolean;
  lang: Lang;
}

/**
 * A version that is over, so that a corrected one may take its key: refused by the platform
 * (`rejected`), never taken (`invalid`), or `failed` without ever having been uploaded. A `failed`
 * message whose pack was uploaded may still be confirmed by a late result: it stands, and only an
 * operator may send it again (a second version would be a second invoice at the platform).
 */
function isOver(version: KeyHolder): boolean {
  return !isStanding(version.state) || (version.state === 'failed' && version.uploaded === 0);
}

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
  folder: { type: string; category: string },
  report: ValidationReport,
  sha256: string,
  context: IntakeContext,
): IntakeDecision {
  const { lang } = context;
  const messageKey = messageKeyOf(report, sha256);
  const refuse = (errors: ReportFinding[], conflictWith: KeyHolder | null = null, warnings: ReportFinding[] = []): IntakeDecision => ({
    kind: 'invalid',
    messageKey,
    errors,
    warnings,
    conflictWith,
  });
  const errors: ReportFinding[] = [];
  if (report.messageType !== null && report.messageType !== folder.type) {
    errors.push(
      finding(
        'wrong-folder',
        say(lang, 'wrongFolder', { type: report.messageType, folder: folder.type, category: report.category ?? '<category>' }),
      ),
    );
  }
  errors.push(...report.errors);
  if (errors.length > 0 || !report.valid || messageKey === null) return refuse(errors);

  const seller = report.fields?.sellerId;
  if (context.covers && seller && !context.covers(seller)) {
    return refuse([finding('sender-unknown', say(lang, 'senderUnknown', { seller }))]);
  }

  const holder = context.holderOf(messageKey);
  let supersedes: KeyHolder | null = null;
  if (holder && !isOver(holder)) {
    if (holder.sha256 === sha256) return { kind: 'duplicate', messageKey, holder };
    return refuse(
      [
        finding(
          'duplicate-conflict',
          say(lang, 'duplicateConflict', { key: messageKey, id: holder.id, at: new Date(holder.receivedAt).toISOString() }),
        ),
      ],
      holder,
    );
  }
  if (holder)
    supersedes = holder; // rejected or failed: the corrected version takes the key
  else if (report.fields?.number) {
    const latest = context.latestOf(report.fields.number, messageKey);
    if (latest && isOver(latest)) supersedes = latest; // an invalid earlier version: linked, it held nothing
  }

  const store = checkAgainstStore(report, messageKey, context.facts, lang, supersedes?.id ?? null);
  if (store.errors.length > 0) return refuse(store.errors, null, store.warnings);
  return { kind: 'new', messageKey, supersedes, takesKey: holder !== undefined, warnings: store.warnings };
}

function finding(code: IntakeErrorCode, message: string): ReportFinding {
  return { code, message, line: null, path: null };
}
