/**
 * How a pack's results name its messages. Pure. The platform names a message by its number: an
 * invoice number (F0401, F0501, F0701), an allowance number (G0401, G0501: up to 16 characters),
 * or for E0401/E0402 the track and first number of its first range: what the store records as the
 * message's number. Numbers are matched against the pack's own messages, never against a pattern;
 * where one number names several messages of a pack, the date tells them apart.
 */
import type { PackMessageRef } from '../store/OutboundQueries.js';
import type { MessageVerdict } from '../store/PackTransitions.js';
import { SUCCESS_CODE, type InvoiceRef, type ResultInfo, type SummaryEntry } from './parseResult.js';

/**
 * Parameter0 values that say the next parameter is one message's number (the simulator writes its
 * position after that): such an Info is about that message, and only Parameter1 names it.
 */
const NUMBER_KINDS = new Set([
  'InvoiceNumber',
  'AllowanceNumber',
  'InvoiceTrack',
  'ReferenceNumber',
  'CancelInvoiceNumber',
  'VoidInvoiceNumber',
  'CancelAllowanceNumber',
]);

export interface FailureReason {
  code: string;
  text: string;
}

/** The values of an Info's parameters that can name a message. */
function namingParameters(info: ResultInfo): readonly string[] {
  return NUMBER_KINDS.has(info.parameters[0] ?? '') ? info.parameters.slice(1, 2) : info.parameters;
}

/**
 * An error of a ProcessResult about the whole pack (a broken signature, E0004): one with no
 * parameters at all. An error with parameters is about what they name, even when they name
 * nothing this pack holds in a form this reader knows: that is left to the SummaryResult (a
 * rejection is final, so it is never guessed).
 */
export function packError(infos: readonly ResultInfo[]): ResultInfo | null {
  return infos.find((i) => i.code !== SUCCESS_CODE && i.parameters.length === 0) ?? null;
}

/** Per-message codes and texts from ProcessResult errors, by the number of the message they name. */
export function failureReasons(infos: readonly ResultInfo[], numbers: ReadonlySet<string>): Map<string, FailureReason> {
  const reasons = new Map<string, FailureReason>();
  for (const info of infos) {
    if (info.code === SUCCESS_CODE) continue;
    for (const p of namingParameters(info)) if (numbers.has(p)) reasons.set(p, { code: info.code, text: info.description ?? info.code });
  }
  return reasons;
}

/** yyyyMMdd from yyyyMMdd or yyyy-MM-dd; the text itself otherwise (a period, 11508). */
function dateKey(date: string | null): string | null {
  return date === null ? null : date.replaceAll('-', '');
}

/**
 * Each message's verdict from a SummaryResult entry, with the reasons the ProcessResult gave:
 * - messages named in the Failed list are rejected, those named in the Good list confirmed;
 * - a message named in neither is decided from the counts only when they are sound (Total =
 *   Good + Failed = the pack's messages), every listed reference named a message of the pack, and
 *   the named ones account for one count entirely: then the unnamed ones take the other verdict;
 * - anything else stays as it is, and is reported (with the references that named nothing).
 * A rejected message gets the reason that names it, else the whole pack's error, else a code that
 * says the SummaryResult listed it as Failed.
 */
export function verdictsFor(
  messages: readonly PackMessageRef[],
  entry: SummaryEntry,
  reasons: ReadonlyMap<string, FailureReason>,
  wholePack: FailureReason | null,
): { verdicts: MessageVerdict[]; problem: string | null } {
  const rejected = (m: PackMessageRef): MessageVerdict => {
    const reason = (m.invoiceNumber ? reasons.get(m.invoiceNumber) : undefined) ?? wholePack;
    return {
      messageId: m.messageId,
      verdict: 'rejected',
      code: reason?.code ?? 'platform-failed',
      text: reason?.text ?? "listed as Failed by the platform's SummaryResult",
    };
  };
  const confirmed = (m: PackMessageRef): MessageVerdict => ({ messageId: m.messageId, verdict: 'confirmed', code: null, text: null });
  const problems: string[] = [];

  const byNumber = new Map<string, PackMessageRef[]>();
  for (const m of messages) if (m.invoiceNumber) byNumber.set(m.invoiceNumber, [...(byNumber.get(m.invoiceNumber) ?? []), m]);
  /** The pack's messages a list names; references that name none are reported. */
  const named = (list: readonly InvoiceRef[] | null, which: string): { matched: Set<PackMessageRef>; unmatched: number } => {
    const matched = new Set<PackMessageRef>();
    let unmatched = 0;
    for (const ref of list ?? []) {
      const candidates = byNumber.get(ref.number) ?? [];
      const pick = candidates.length > 1 ? candidates.filter((m) => dateKey(m.invoiceDate) === dateKey(ref.date)) : candidates;
      if (pick.length === 1) matched.add(pick[0]!);
      else unmatched++;
    }
    if (unmatched > 0) problems.push(`${entry.messageId}: ${unmatched} reference(s) of the ${which} list name no message of the pack`);
    return { matched, unmatched };
  };
  const good = named(entry.good.invoices, 'Good');
  const failed = named(entry.failed.invoices, 'Failed');

  const counts =
    entry.total !== null &&
    entry.good.count !== null &&
    entry.failed.count !== null &&
    entry.total === entry.good.count + entry.failed.count;
  const sound = counts && entry.total === messages.length && good.unmatched + failed.unmatched === 0;
  if (!counts) problems.push(`${entry.messageId}: the counts are unreadable or Total ≠ Good + Failed`);
  else if (entry.total !== messages.length)
    problems.push(`${entry.messageId}: Total ${entry.total} is not the pack's ${messages.length} message(s)`);

  const verdicts: MessageVerdict[] = [];
  let unnamed = 0;
  for (const m of messages) {
    if (failed.matched.has(m)) verdicts.push(rejected(m));
    else if (good.matched.has(m)) verdicts.push(confirmed(m));
    else if (sound && failed.matched.size === entry.failed.count)
      verdicts.push(confirmed(m)); // every failure is named: the rest was good
    else if (sound && good.matched.size === entry.good.count)
      verdicts.push(rejected(m)); // every success is named: the rest failed
    else unnamed++;
  }
  if (unnamed > 0)
    problems.push(
      `${entry.messageId}: ${unnamed} message(s) not named in the SummaryResult and not told by its counts; they stay as they are`,
    );
  return { verdicts, problem: problems.length > 0 ? problems.join('; ') : null };
}
