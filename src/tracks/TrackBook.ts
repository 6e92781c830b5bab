/**
 * The daemon's and the CLI's view of tracks: stock per range and BAN, and the period's unused
 * numbers (E0402) — when they may be reported, what holds them back, and generating and dropping
 * them into E0402's SRC, crash-safe (recorded with their bytes first, written durably, then marked).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { TrackSettings } from '../config/types.js';
import { TurnkeyError } from '../errors/TurnkeyError.js';
import { writeFileDurably } from '../fs/writeFileDurably.js';
import { messageSpec } from '../mig/catalog.js';
import { BlankReports, type BlankReportRow } from '../store/BlankReports.js';
import { TrackAllocations, type StoredAllocation } from '../store/TrackAllocations.js';
import { TrackUsage, type RangeUse } from '../store/TrackUsage.js';
import { periodBounds, type PeriodBounds } from '../time/periods.js';
import { toTaiwanIso } from '../time/taiwanTime.js';
import type { Validator } from '../validation/Validator.js';
import { planBlankReport, type BlankMessage } from './blankReport.js';
import { forecastStock, rangeStock, type RangeStock, type StockForecast } from './stock.js';
import { trackFailpoint as failpoint } from './trackFailpoints.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Why a period's unused numbers are not reported (yet). Stable codes; the detail is for people. */
export interface BlankBlocker {
  code:
    | 'e0402-not-taken'
    | 'period-not-over'
    | 'no-allocations'
    | 'already-reported'
    | 'invoices-unsettled'
    | 'too-early'
    | 'invoices-arriving';
  detail: string;
  /** Only the automatic report waits for it; `turnkey tracks blank` does not. */
  autoOnly?: boolean;
  /** `--force` overrides it. */
  forcible?: boolean;
}

export interface BlankOutcome {
  period: string;
  blockers: BlankBlocker[];
  /** The messages generated (or that would be, with dryRun), each with its ranges. */
  messages: BlankMessage[];
  /** True when they were recorded and dropped into SRC. */
  dropped: boolean;
}

export class TrackBook {
  readonly allocations: TrackAllocations;
  readonly usage: TrackUsage;
  readonly reports: BlankReports;

  constructor(
    db: Database,
    private readonly dataRoot: string,
    private readonly now: () => number = Date.now,
    /** Whether intake takes E0402 files (intake.messageTypes): a report dropped into a SRC nobody reads is never sent. */
    private readonly e0402Taken = true,
  ) {
    this.allocations = new TrackAllocations(db, now);
    this.usage = new TrackUsage(db);
    this.reports = new BlankReports(db, now);
  }

  /** Each range of the period with its use, and the forecast per BAN and invoice type. */
  stock(period: string): { ranges: Array<RangeStock<StoredAllocation>>; forecasts: StockForecast[] } {
    const bounds = mustBound(period);
    const allocations = this.allocations.forPeriod(period);
    const ranges = allocations.map((a) => rangeStock(a, this.usage.range(a.track, a.begin, a.end, bounds).used));
    const groups = new Map<string, RangeStock[]>();
    for (const r of ranges) {
      const key = `${r.allocation.ban}/${r.allocation.invoiceType}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const forecasts = [...groups].map(([key, stocks]) => {
      const [ban, invoiceType] = key.split('/') as [string, string];
      return { ban, period, invoiceType, ...forecastStock(stocks, bounds, this.now()) };
    });
    return { ranges, forecasts };
  }

  /** What holds back the period's report, and what it would hold. */
  blankPlan(period: string, settings: TrackSettings['blankReport'], options: { force?: boolean } = {}): BlankOutcome {
    const bounds = mustBound(period);
    const now = this.now();
    const blockers: BlankBlocker[] = [];
    if (!this.e0402Taken) {
      blockers.push({
        code: 'e0402-not-taken',
        detail: 'E0402 is not among intake.messageTypes: a report dropped into its SRC would never be sent',
      });
    }
    if (now < bounds.end) {
      blockers.push({ code: 'period-not-over', detail: `period ${period} ends at ${toTaiwanIso(new Date(bounds.end))}` });
    }
    const allocations = this.allocations.forPeriod(period);
    if (allocations.length === 0) {
      blockers.push({
        code: 'no-allocations',
        detail: `no allocation of period ${period} is known (an E0501, turnkey tracks import, or an E0401)`,
      });
    }
    const uses = new Map(allocations.map((a) => [a.id, this.usage.range(a.track, a.begin, a.end, bounds)]));
    const messages = planBlankReport(period, allocations, (track, begin, end) => usedOf(allocations, uses, track, begin, end));
    const reported = messages.filter((m) => this.reports.generationOf(m) > 0);
    if (reported.length > 0) {
      blockers.push({
        code: 'already-reported',
        detail:
          `${reported.length} of the ${messages.length} report(s) of period ${period} were generated already ` +
          `(${reported.map((m) => m.fileName).join(', ')})`,
        forcible: true,
      });
    }
    const unsettled = this.usage.unsettled(bounds);
    const waiting = Object.values(unsettled).reduce((a, b) => a + b, 0);
    if (waiting > 0) {
      const states = Object.entries(unsettled)
        .map(([state, n]) => `${n} ${state}`)
        .join(', ');
      blockers.push({
        code: 'invoices-unsettled',
        detail:
          `${waiting} invoice(s) of period ${period} are not settled by the platform yet (${states}): their numbers must not be ` +
          `reported blank`,
        forcible: true,
      });
    }
    const earliest = bounds.end + settings.daysAfterPeriodEnd * DAY_MS;
    if (now >= bounds.end && now < earliest) {
      blockers.push({
        code: 'too-early',
        detail:
          `the report is generated ${settings.daysAfterPeriodEnd} day(s) after the period ends, from ` +
          `${toTaiwanIso(new Date(earliest))}`,
        autoOnly: true,
      });
    }
    const lastArrival = Math.max(0, ...[...uses.values()].map((u) => u.lastReceivedAt ?? 0));
    if (lastArrival > 0 && now - lastArrival < settings.quietHours * HOUR_MS) {
      blockers.push({
        code: 'invoices-arriving',
        detail:
          `an invoice of period ${period} arrived at ${toTaiwanIso(new Date(lastArrival))}; the report waits until none has for ` +
          `${settings.quietHours} hour(s)`,
        autoOnly: true,
      });
    }
    const relevant = blockers.filter((b) => !(options.force && b.forcible));
    return { period, blockers: relevant, messages, dropped: false };
  }

  /**
   * Generates the period's reports and drops them into E0402's SRC, unless something holds them
   * back (`auto`: the automatic report also waits for the days after the period and for quiet).
   * Each message is checked against E0402.xsd first.
   */
  generate(
    period: string,
    settings: TrackSettings['blankReport'],
    options: { trigger: 'auto' | 'cli'; force?: boolean; dryRun?: boolean; validator: Validator },
  ): BlankOutcome {
    const plan = this.blankPlan(period, settings, options);
    const blocking = plan.blockers.filter((b) => options.trigger === 'auto' || !b.autoOnly);
    if (blocking.length > 0 || plan.messages.length === 0 || options.dryRun) return { ...plan, blockers: blocking };
    for (const m of plan.messages) {
      const report = options.validator.validate(Buffer.from(m.xml, 'utf8'), { file: m.fileName });
      if (!report.valid || report.messageType !== 'E0402') {
        throw new TurnkeyError(
          'blank-report-invalid',
          `the generated ${m.fileName} does not pass E0402.xsd: ${report.errors.map((e) => e.message).join('; ')}`,
          { hint: 'Nothing was recorded or dropped. Check the allocations of the period (turnkey tracks --period).' },
        );
      }
    }
    this.reports.plan(
      plan.messages.map((m) => ({ ...m, ranges: m.ranges.length, generation: this.reports.generationOf(m) + 1 })),
      options.trigger,
    );
    failpoint('after-blank-record');
    this.dropPlanned();
    return { ...plan, blockers: blocking, dropped: true };
  }

  /** Writes every recorded, not yet dropped report into E0402's SRC (again, after a crash: the same bytes). */
  dropPlanned(): BlankReportRow[] {
    const planned = this.reports.planned();
    const src = this.srcDir();
    if (planned.length > 0) mkdirSync(src, { recursive: true });
    for (const report of planned) {
      writeFileDurably(src, report.fileName, Buffer.from(report.xml, 'utf8'));
      failpoint('after-blank-drop');
      this.reports.dropped(report.id);
    }
    return planned;
  }

  srcDir(): string {
    const spec = messageSpec('E0402')!;
    return join(this.dataRoot, 'UpCast', spec.category!, 'E0402', 'SRC');
  }
}

function usedOf(
  allocations: readonly StoredAllocation[],
  uses: ReadonlyMap<number, RangeUse>,
  track: string,
  begin: number,
  end: number,
): number[] {
  const a = allocations.find((x) => x.track === track && x.begin === begin && x.end === end);
  return a ? (uses.get(a.id)?.used ?? []) : [];
}

function mustBound(period: string): PeriodBounds {
  const bounds = periodBounds(period);
  if (!bounds) throw new RangeError(`not a period: ${period} (the ROC year and an even month, e.g. 11510)`);
  return bounds;
}
