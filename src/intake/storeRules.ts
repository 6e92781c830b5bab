/**
 * The business rules that need what the store knows about other messages (MIG-4.1.md rules 6
 * and 7, and what a cancel, void or allowance needs): run at intake, in the transaction that
 * records the message, so messages of the same batch see each other. Pure: the store is asked
 * through `StoreFacts`.
 */
import type { AllowanceLedger } from '../store/AllowanceLedger.js';
import type { StoredAllocation, TrackAllocations } from '../store/TrackAllocations.js';
import { periodOfDate } from '../time/periods.js';
import type { Allocation } from '../tracks/Allocation.js';
import { allotmentsOfE0401 } from '../tracks/readAllocations.js';
import { checkAllotments, checkInvoiceNumber, type TrackFinding, type TrackRuleCode } from '../tracks/trackRules.js';
import type { KeyHolder, MessageQueries } from '../store/MessageQueries.js';
import { isStanding } from '../store/states.js';
import { say, type Lang, type MessageId } from '../validation/messages.js';
import { formatDecimal, ONE, parseDecimal, ZERO } from '../validation/rules/decimal.js';
import type { ValidationReport } from '../validation/types.js';
import type { ReportFinding } from './ErrReport.js';

/** Codes of the rules below (refusals, and warnings that do not refuse). */
export type StoreRuleCode =
  | 'number-reused'
  | 'allowance-exceeds'
  | 'original-cancelled'
  | 'already-cancelled'
  | 'cancel-with-allowances'
  | 'original-unknown'
  | TrackRuleCode;

/** What the track rules do (`tracks.check`): refuse the message, only warn, or stay silent. */
export type TrackCheck = 'refuse' | 'warn' | 'off';

/**
 * An F0401 number used again with another date within this many days is refused (`number-reused`,
 * the platform's E1003). Track letters change every period (six a year), so within a year one
 * number is the same number issued twice. Whether and when the MOF assigns the same letters again
 * is not published; beyond a year this rule stays silent, and the track-period rule (allocations)
 * says whether letters belong to the invoice's period.
 */
export const NUMBER_REUSE_WINDOW_DAYS = 366;

export interface StoreFacts {
  /** The message holding this key, when it stands (not rejected, not invalid). */
  standing(messageKey: string): KeyHolder | undefined;
  sameNumberOtherKey(messageType: string, number: string, messageKey: string): KeyHolder[];
  /** Allowances standing on an invoice, but `excluding` (the version a corrected message replaces). */
  standingAllowances(
    invoiceNumber: string,
    invoiceDate: string,
    excluding?: number | null,
  ): Array<{ allowanceNumber: string; amount: string }>;
  /** A BAN's allocations of a period and the allotments it gave its branches that hold `number` (empty: none known). */
  allocations(ban: string, period: string, number: string): StoredAllocation[];
  /** The allocations sharing a number with any of these allotments (an E0401's are checked against them). */
  overlappingAllocations(allotments: readonly Allocation[]): StoredAllocation[];
  trackCheck: TrackCheck;
}

export function storeFacts(
  queries: MessageQueries,
  ledger: AllowanceLedger,
  tracks: TrackAllocations,
  trackCheck: TrackCheck = 'refuse',
): StoreFacts {
  return {
    allocations: (ban, period, number) => tracks.forBanAt(ban, period, number),
    overlappingAllocations: (allotments) =>
      allotments.flatMap((a) => tracks.overlappingRange(a.period, a.track, a.begin, a.end, 'standing')),
    trackCheck,
    standing: (key) => {
      const holder = queries.findKeyHolder(key);
      return holder && isStanding(holder.state) ? holder : undefined;
    },
    sameNumberOtherKey: (type, number, key) => queries.sameNumberOtherKey(type, number, key),
    standingAllowances: (number, date, excluding) => ledger.standingOn(number, date, excluding ?? null),
  };
}

export interface StoreFindings {
  errors: ReportFinding[];
  warnings: ReportFinding[];
}

/**
 * Checks a valid message against the messages the store holds; `replacing` is the earlier version
 * it corrects, if any (an allowance's earlier version does not count against it).
 */
export function checkAgainstStore(
  report: ValidationReport,
  messageKey: string,
  facts: StoreFacts,
  lang: Lang,
  replacing: number | null = null,
): StoreFindings {
  const found: StoreFindings = { errors: [], warnings: [] };
  const fields = report.fields;
  if (!fields?.number || !fields.date) return found;
  const { number, date } = fields;
  const add = (list: ReportFinding[], code: StoreRuleCode, id: MessageId, params: Record<string, string | number>): void => {
    list.push({ code, message: say(lang, id, params), line: null, path: null });
  };
  const unknownOriginal = (what: string, key: string): void => add(found.warnings, 'original-unknown', 'originalUnknown', { what, key });

  const trackFinding = (finding: TrackFinding | null): void => {
    if (!finding || facts.trackCheck === 'off') return;
    const id: MessageId =
      finding.code === 'track-period' ? 'trackPeriod' : finding.code === 'track-range' ? 'trackRange' : 'allotmentOverlap';
    add(facts.trackCheck === 'refuse' ? found.errors : found.warnings, finding.code, id, finding.params);
  };

  switch (report.messageType) {
    case 'E0401': {
      const allotments = allotmentsOfE0401(fields);
      const headBan = fields.sellerId;
      // The version this one corrects gives its allotments up.
      const existing = facts.overlappingAllocations(allotments).filter((e) => replacing === null || e.messageId !== replacing);
      if (headBan) trackFinding(checkAllotments(allotments, existing));
      break;
    }
    case 'F0401': {
      const period = periodOfDate(date);
      if (fields.sellerId && period)
        trackFinding(
          checkInvoiceNumber(number, fields.sellerId, period, facts.allocations(fields.sellerId, period, number), fields.invoiceType),
        );
      for (const other of facts.sameNumberOtherKey('F0401', number, messageKey)) {
        if (other.invoiceDate && Math.abs(daysBetween(other.invoiceDate, date)) <= NUMBER_REUSE_WINDOW_DAYS) {
          add(found.errors, 'number-reused', 'numberReused', {
            number,
            date: other.invoiceDate,
            id: other.id,
            days: NUMBER_REUSE_WINDOW_DAYS,
          });
          break;
        }
      }
      break;
    }
    case 'F0501':
    case 'F0701': {
      const invoiceKey = `F0401${number}${date}`;
      if (!facts.standing(invoiceKey)) unknownOriginal(`invoice ${number} of ${date}`, invoiceKey);
      const otherType = report.messageType === 'F0501' ? 'F0701' : 'F0501';
      const other = facts.standing(`${otherType}${number}${date}`);
      if (other) add(found.errors, 'already-cancelled', 'alreadyCancelled', { number, date, type: otherType, id: other.id });
      if (report.messageType === 'F0501') {
        const allowances = facts.standingAllowances(number, date);
        if (allowances.length > 0) {
          add(found.errors, 'cancel-with-allowances', 'cancelWithAllowances', {
            number,
            date,
            allowances: allowances.map((a) => a.allowanceNumber).join(', '),
          });
        }
      }
      break;
    }
    case 'G0401':
      for (const reference of fields.references) checkAllowanceReference(reference, found, facts, add, unknownOriginal, replacing);
      break;
    case 'G0501':
      if (!facts.standing(`G0401${number}${date}`)) unknownOriginal(`allowance ${number} of ${date}`, `G0401${number}${date}`);
      break;
  }
  return found;
}

function checkAllowanceReference(
  reference: { number: string; date: string; amount: string },
  found: StoreFindings,
  facts: StoreFacts,
  add: (list: ReportFinding[], code: StoreRuleCode, id: MessageId, params: Record<string, string | number>) => void,
  unknownOriginal: (what: string, key: string) => void,
  replacing: number | null,
): void {
  const { number, date } = reference;
  const invoiceKey = `F0401${number}${date}`;
  const original = facts.standing(invoiceKey);
  // Issued before this turnkey was installed (or by another system): nothing to check it against.
  if (!original) return unknownOriginal(`invoice ${number} of ${date}`, invoiceKey);
  for (const type of ['F0501', 'F0701']) {
    const cancel = facts.standing(`${type}${number}${date}`);
    if (cancel) return add(found.errors, 'original-cancelled', 'originalCancelled', { number, date, type, id: cancel.id });
  }
  const total = parseDecimal(original.totalAmount);
  const asked = parseDecimal(reference.amount);
  if (total === null || asked === null) return;
  const earlier = facts.standingAllowances(number, date, replacing);
  const taken = earlier.reduce((sum, a) => sum + (parseDecimal(a.amount) ?? ZERO), ZERO);
  const remaining = total - taken;
  // ±1, as the validator allows: per-item taxes rounded up can sum to one over a tax-included total.
  if (asked > remaining + ONE) {
    add(found.errors, 'allowance-exceeds', 'allowanceExceeds', {
      number,
      date,
      asked: formatDecimal(asked),
      total: formatDecimal(total),
      taken: formatDecimal(taken),
      remaining: formatDecimal(remaining),
      count: earlier.length,
    });
  }
}

/** Days from yyyyMMdd `a` to yyyyMMdd `b`. */
function daysBetween(a: string, b: string): number {
  const at = (d: string): number => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)));
  return (at(b) - at(a)) / 86_400_000;
}
