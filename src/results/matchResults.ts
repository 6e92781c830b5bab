/**
 * How a pack's results name its messages. Pure. The platform names a message by its number: an
 * invoice number (F0401, F0501, F0701), an allowance number (G0401, G0501: up to 16 characters),
 * or for E0401/E0402 the track and first number of its first range: what the store records as the
 * message's number. Numbers are matched against the pack's own messages, never against a pattern.
 */
import type { PackMessageRef } from '../store/OutboundQueries.js';
import type { MessageVerdict } from '../store/PackTransitions.js';
import { SUCCESS_CODE, type ResultInfo, type SummaryEntry } from './parseResult.js';

/** Parameter0 values that say the next parameter is one message's number: such an Info is about that message. */
const NUMBER_KINDS = new Set(['InvoiceNumber', 'AllowanceNumber', 'InvoiceTrack', 'ReferenceNumber', 'CancelInvoiceNumber', 'VoidInvoiceNumber', 'CancelAllowanceNumber']);

export interface FailureReason {
  code: string;
  text: string;
}

/**
 * An error of a ProcessResult that is about the whole pack (a broken signature, E0004): it names
 * none of the pack's messages, and is not about one message whose number could not be read (its
 * Parameter0 says what kind of number follows). Null when there is none.
 */
export function packError(infos: readonly ResultInfo[], numbers: ReadonlySet<string>): ResultInfo | null {
  return infos.find((i) => i.code !== SUCCESS_CODE && !i.parameters.some((p) => numbers.has(p)) && !NUMBER_KINDS.has(i.parameters[0] ?? '')) ?? null;
}

/** Per-message codes and texts from ProcessResult errors, by the number of the message they name. */
export function failureReasons(infos: readonly ResultInfo[], numbers: ReadonlySet<string>): Map<string, FailureReason> {
  const reasons = new Map<string, FailureReason>();
  for (const info of infos) {
    if (info.code === SUCCESS_CODE) continue;
    for (const p of info.parameters) if (numbers.has(p)) reasons.set(p, { code: info.code, text: info.description ?? info.code });
  }
  return reasons;
}

/**
 * Each message's verdict from a SummaryResult entry, with the reasons the ProcessResult gave:
 * - with invoice lists, a message named Failed is rejected and one named Good confirmed; one named
 *   in neither is confirmed when only a complete Failed list was given (everything else was good),
 *   rejected when only a complete Good list was given; otherwise it stays as it is (a problem);
 * - without lists, every message is confirmed when nothing failed, rejected when nothing was good;
 *   otherwise nothing can be told (a problem).
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
    return { messageId: m.messageId, verdict: 'rejected', code: reason?.code ?? 'platform-failed', text: reason?.text ?? 'listed as Failed by the platform\'s SummaryResult' };
  };
  const confirmed = (m: PackMessageRef): MessageVerdict => ({ messageId: m.messageId, verdict: 'confirmed', code: null, text: null });

  if (entry.good.invoices !== null || entry.failed.invoices !== null) {
    const good = new Set((entry.good.invoices ?? []).map((i) => i.number));
    const failed = new Set((entry.failed.invoices ?? []).map((i) => i.number));
    const onlyFailedListed = entry.failed.invoices !== null && entry.failed.count === failed.size && entry.good.invoices === null;
    const onlyGoodListed = entry.good.invoices !== null && entry.good.count === good.size && entry.failed.invoices === null;
    const verdicts: MessageVerdict[] = [];
    for (const m of messages) {
      if (m.invoiceNumber && failed.has(m.invoiceNumber)) verdicts.push(rejected(m));
      else if (m.invoiceNumber && good.has(m.invoiceNumber)) verdicts.push(confirmed(m));
      else if (onlyFailedListed) verdicts.push(confirmed(m));
      else if (onlyGoodListed) verdicts.push(rejected(m));
    }
    const unnamed = messages.length - verdicts.length;
    return { verdicts, problem: unnamed > 0 ? `${entry.messageId}: ${unnamed} message(s) not named in the SummaryResult; they stay as they are` : null };
  }
  if (entry.failed.count === 0) return { verdicts: messages.map(confirmed), problem: null };
  if (entry.good.count === 0) return { verdicts: messages.map(rejected), problem: null };
  return { verdicts: [], problem: `${entry.messageId}: ${entry.good.count} good and ${entry.failed.count} failed without invoice lists: cannot tell which` };
}
