/**
 * The daemon's and the CLI's view of tracks: stock per range and BAN, and the period's unused
 * numbers (E0402) — when they may be reported, what holds them back, and generating and dropping
 * them into E0402's SRC, crash-safe (recorded with their bytes first, written durably, then marked).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { coversSeller } from '../config/senders.js';
import type { TrackSettings, TurnkeyConfig } from '../config/types.js';
import { TurnkeyError } from '../errors/TurnkeyError.js';
import { claimsOf } from '../fs/claimNames.js';
import { mkdirDurably } from '../fs/fsyncDir.js';
import { removeStaleTemps, writeFileDurably } from '../fs/writeFileDurably.js';
import { messageSpec } from '../mig/catalog.js';
import { BlankReports, type BlankReportRow } from '../store/BlankReports.js';
import { MessageQueries } from '../store/MessageQueries.js';
import { isStanding } from '../store/states.js';
import { TrackAllocations, type StoredAllocation } from '../store/TrackAllocations.js';
import { TrackUsage, type RangeUse } from '../store/TrackUsage.js';
import { periodBounds, type PeriodBounds } from '../time/periods.js';
import { toTaiwanIso } from '../time/taiwanTime.js';
import type { Validator } from '../validation/Validator.js';
import { planBlankReport, type BlankMessage } from './blankReport.js';
import type { NumberRange } from './numberRanges.js';
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
    | 'not-sent-here'
    | 'invoices-unsettled'
    | 'invoices-refused'
    | 'no-invoices-seen'
    | 'too-early'
    | 'invoices-arriving'
    | 'name-taken';
  detail: string;
  /** Only the automatic report waits for it; `turnkey tracks blank` does not. */
  autoOnly?: boolean;
  /** `--force` overrides it. */
  forcible?: boolean;
}

export interface BlankOutcome {
  period: string;
  blockers: BlankBlocker[];
  /** The messages generated (or that would be, with dryRun), each with its ranges: the groups not reported yet. */
  messages: BlankMessage[];
  /** Groups reported already (their latest report stands, or is over and may be forced). */
  reported: Array<{ fileName: string; messageKey: string; state: string | null }>;
  /** True when they were recorded and dropped into SRC. */
  dropped: boolean;
}

export interface TrackBookOptions {
  /** Whether intake takes E0402 files (intake.messageTypes): a report dropped into a SRC nobody reads is never sent. */
  e0402Taken?: boolean;
  /** Whether a configured sender sends for this BAN; absent: nothing is sent (no platform), so every BAN is taken. */
  covers?: (ban: string) => boolean;
}

/** The options a configuration gives: whether E0402 is taken, and which BANs are sent for. */
export function trackBookOptions(config: Pick<TurnkeyConfig, 'intake' | 'platform'>): TrackBookOptions {
  return {
    e0402Taken: config.intake.messageTypes.includes('E0402'),
    ...(config.platform && { covers: coversSeller(config.platform.senders) }),
  };
}

export class TrackBook {
  readonly allocations: TrackAllocations;
  readonly usage: TrackUsage;
  readonly reports: BlankReports;
  private readonly messages: MessageQueries;

  constructor(
    private readonly db: Database,
    private readonly dataRoot: string,
    private readonly now: () => number = Date.now,
    private readonly options: TrackBookOptions = {},
  ) {
    this.allocations = new TrackAllocations(db, now);
    this.usage = new TrackUsage(db);
    this.reports = new BlankReports(db, now);
    this.messages = new MessageQueries(db);
  }

  /** Each range of the period with its use, and the forecast per BAN and invoice type. */
  stock(period: string): { ranges: Array<RangeStock<StoredAllocation>>; forecasts: StockForecast[] } {
    const bounds = mustBound(period);
    const allocations = this.allocations.forPeriod(period);
    const ranges = allocations.map((a) =>
      rangeStock(a, this.usage.range(a.track, a.begin, a.end, bounds).used, allottedAway(a, allocations)),
    );
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

  /** What holds back the period's report, and what it would hold: the groups not reported yet (all with `force`). */
  blankPlan(period: string, settings: TrackSettings['blankReport'], options: { force?: boolean } = {}): BlankOutcome {
    const bounds = mustBound(period);
    const now = this.now();
    const blockers: BlankBlocker[] = [];
    if (this.options.e0402Taken === false) {
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
    const byRange = new Map(allocations.map((a) => [`${a.track}/${a.begin}/${a.end}`, uses.get(a.id)!]));
    const all = planBlankReport(period, allocations, (track, begin, end) => byRange.get(`${track}/${begin}/${end}`)?.used ?? []);

    // A group is reported once: its latest report's message standing (or still in SRC) means the platform has it or will.
    const reported: BlankOutcome['reported'] = [];
    const fresh: BlankMessage[] = [];
    let standing = 0;
    for (const m of all) {
      const latest = this.reports.latestOf(m);
      if (latest.length === 0) {
        fresh.push(m);
        continue;
      }
      const states = latest.map((r) => ({ r, holder: this.messages.findKeyHolder(r.messageKey) }));
      for (const { r, holder } of states) reported.push({ fileName: r.fileName, messageKey: r.messageKey, state: holder?.state ?? null });
      const stands = states.some(
        ({ holder }) => !holder || isStanding(holder.state) || (holder.state === 'failed' && holder.uploaded === 1),
      );
      if (stands) standing++;
      else if (options.force) fresh.push(m);
    }
    if (reported.length > 0 && fresh.length === 0) {
      blockers.push({
        code: 'already-reported',
        detail:
          standing > 0
            ? `period ${period} was reported (${reported.map((r) => `${r.fileName}: ${r.state ?? 'waiting in SRC'}`).join(', ')})`
            : `period ${period} was reported and the platform refused it ` +
              `(${reported.map((r) => `${r.fileName}: ${r.state}`).join(', ')}): --force reports it again`,
        forcible: standing === 0,
      });
    }
    if (this.options.covers) {
      const elsewhere = [...new Set(fresh.map((m) => m.headBan))].filter((ban) => !this.options.covers!(ban));
      if (elsewhere.length > 0) {
        blockers.push({
          code: 'not-sent-here',
          detail: `no configured sender sends for ${elsewhere.join(', ')}: its E0402 would be refused at intake`,
        });
      }
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
    const refused = this.usage.refusedNumbers(bounds).filter((n) => inRanges(n, allocations));
    if (refused.length > 0) {
      blockers.push({
        code: 'invoices-refused',
        detail:
          `${refused.length} invoice(s) of period ${period} were refused at intake and not yet sent again corrected ` +
          `(${refused.slice(0, 5).join(', ')}${refused.length > 5 ? ' …' : ''}): their numbers were issued and must not be reported blank`,
        forcible: true,
      });
    }
    // Automatically, only for BANs whose invoices this turnkey has seen: others may go through another system.
    const seen = new Set(allocations.filter((a) => (uses.get(a.id)?.used.length ?? 0) > 0).map((a) => a.ban));
    const unseen = [...new Set(fresh.map((m) => m.branchBan))].filter((ban) => !seen.has(ban));
    if (unseen.length > 0) {
      blockers.push({
        code: 'no-invoices-seen',
        detail:
          `this turnkey saw no invoice of ${unseen.join(', ')} in period ${period}: if they issue through another system, that ` +
          `system reports their unused numbers; otherwise run turnkey tracks blank --period ${period}`,
        autoOnly: true,
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
    const lastArrival = Math.max(0, ...[...uses.values()].map((u: RangeUse) => u.lastReceivedAt ?? 0));
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
    return { period, blockers: relevant, messages: fresh, reported, dropped: false };
  }

  /**
   * Generates the period's reports (the groups not reported yet) and drops them into E0402's SRC,
   * unless something holds them back (`auto`: the automatic report also waits for the days after
   * the period, for quiet, and for invoices of its BANs). Planned and recorded in one transaction,
   * so that the daemon's job and the CLI never both report, and no invoice recorded meanwhile is
   * reported blank. Each message is checked against E0402.xsd first.
   */
  generate(
    period: string,
    settings: TrackSettings['blankReport'],
    options: { trigger: 'auto' | 'cli'; force?: boolean; dryRun?: boolean; validator: Pick<Validator, 'validate'> },
  ): BlankOutcome {
    const outcome = this.db
      .transaction((): BlankOutcome => {
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
        const messages = plan.messages.map((m) => {
          const generation = this.reports.generationOf(m) + 1;
          // A second generation gets a name of its own: the first one's file may still wait in SRC.
          return { ...m, generation, fileName: generation > 1 ? m.fileName.replace(/\.xml$/, `_g${generation}.xml`) : m.fileName };
        });
        this.reports.plan(
          messages.map((m) => ({ ...m, ranges: m.ranges.length })),
          options.trigger,
        );
        return { ...plan, messages, blockers: blocking, dropped: true };
      })
      .immediate();
    if (!outcome.dropped) {
      // A report recorded by a run that died before writing its file (this command killed, say) is written now.
      if (!options.dryRun) return withHeldBack(outcome, this.dropPlanned().heldBack);
      return outcome;
    }
    failpoint('after-blank-record');
    return withHeldBack(outcome, this.dropPlanned().heldBack);
  }

  /**
   * Writes every recorded, not yet dropped report into E0402's SRC (again, after a crash: the same
   * bytes); returns those this call dropped. `turnkey tracks blank` and the daemon's hourly job may
   * both be here at once, so each report is written inside one write transaction that first checks
   * it is still planned: the second comes after the first's commit and leaves it alone. A file of
   * the report's name already in SRC is never replaced (replaced after intake had taken the first,
   * it would be sent twice): with the same bytes it is the report's own (a run killed before marking
   * it), with other bytes it holds the report back (`heldBack`): it stays planned for a later run.
   */
  dropPlanned(): { dropped: BlankReportRow[]; taken: BlankReportRow[]; heldBack: BlankReportRow[] } {
    const planned = this.reports.planned();
    const src = this.srcDir();
    const work = join(dirname(src), 'WORK');
    if (planned.length > 0) {
      mkdirDurably(src);
      removeStaleTemps(src);
    }
    const dropped: BlankReportRow[] = [];
    const taken: BlankReportRow[] = [];
    const heldBack: BlankReportRow[] = [];
    for (const report of planned) {
      const bytes = Buffer.from(report.xml, 'utf8');
      // The file write happens while the transaction holds the store's write lock: a few
      // milliseconds, for a report an hour or a command at most.
      const outcome = this.db
        .transaction((): 'dropped' | 'taken' | 'gone' | 'name-taken' => {
          if (!this.reports.isPlanned(report.id)) return 'gone';
          const existing = readIfPresent(join(src, report.fileName));
          if (existing === null) {
            // Written by a run killed before it marked the report, and taken by intake since: it is
            // not written again. Looked for where the file goes next, in its order (WORK, then the
            // store): it only moves on, and cannot be recorded while this transaction holds the
            // write lock, so it cannot slip past.
            if (this.takenByIntake(report, bytes, work)) return this.reports.dropped(report.id) ? 'taken' : 'gone';
            writeFileDurably(src, report.fileName, bytes);
          } else if (!existing.equals(bytes)) return 'name-taken';
          failpoint('after-blank-drop');
          return this.reports.dropped(report.id) ? 'dropped' : 'gone';
        })
        .immediate();
      if (outcome === 'dropped') dropped.push(report);
      else if (outcome === 'taken') taken.push(report);
      else if (outcome === 'name-taken') heldBack.push(report);
    }
    return { dropped, taken, heldBack };
  }

  /**
   * Whether intake has this report's file, by its very bytes: in hand in WORK, or recorded since
   * the report was (holding its key).
   */
  private takenByIntake(report: BlankReportRow, bytes: Buffer, work: string): boolean {
    for (const claim of claimsOf(listIfPresent(work), report.fileName)) if (readIfPresent(join(work, claim))?.equals(bytes)) return true;
    const holder = this.messages.findKeyHolder(report.messageKey);
    return (
      holder !== undefined && holder.receivedAt >= report.createdAt && holder.sha256 === createHash('sha256').update(bytes).digest('hex')
    );
  }

  srcDir(): string {
    const spec = messageSpec('E0402')!;
    return join(this.dataRoot, 'UpCast', spec.category!, 'E0402', 'SRC');
  }
}

/**
 * The outcome, with a blocker for each of its period's reports a file of another content keeps out
 * of SRC (another period's is that period's business: the tracks job logs it every run).
 */
export function withHeldBack(outcome: BlankOutcome, heldBack: readonly BlankReportRow[]): BlankOutcome {
  const own = heldBack.filter((r) => r.period === outcome.period);
  if (own.length === 0) return outcome;
  const blockers: BlankBlocker[] = own.map((r) => ({
    code: 'name-taken',
    detail:
      `${r.fileName} is in E0402's SRC already, with other content: the report stays recorded and is written once that ` +
      'file is gone (move it out of SRC if it is not an E0402 of your own)',
  }));
  return { ...outcome, blockers: [...outcome.blockers, ...blockers] };
}

/**
 * A folder's entries; none when it cannot be listed (not there, or not readable: the store is then
 * looked at alone, and a report in hand there would at worst be taken twice, as a duplicate).
 */
function listIfPresent(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A file's bytes, or null when it is not there (intake took it a moment ago). */
function readIfPresent(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The parts of a platform allocation its holder allotted to branches. */
function allottedAway(a: StoredAllocation, all: readonly StoredAllocation[]): NumberRange[] {
  if (a.headBan !== null) return [];
  return all.filter((b) => b.headBan === a.ban && b.ban !== a.ban && b.track === a.track && b.begin <= a.end && a.begin <= b.end);
}

function inRanges(number: string, allocations: readonly StoredAllocation[]): boolean {
  const track = number.slice(0, 2);
  const n = Number(number.slice(2));
  return allocations.some((a) => a.track === track && n >= a.begin && n <= a.end);
}

function mustBound(period: string): PeriodBounds {
  const bounds = periodBounds(period);
  if (!bounds) throw new RangeError(`not a period: ${period} (the ROC year and an even month, e.g. 11510)`);
  return bounds;
}
