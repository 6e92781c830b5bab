import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { extname } from 'node:path';
import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import type { TurnkeyConfig } from '../../config/types.js';
import { UsageError } from '../../errors/index.js';
import { OperatorActions } from '../../store/OperatorActions.js';
import { Store } from '../../store/Store.js';
import type { Allocation } from '../../store/TrackAllocations.js';
import { periodBounds, periodOfTime } from '../../time/periods.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { formatNumber, formatRange, normalizePeriod, TrackError } from '../../tracks/Allocation.js';
import type { BlankOutcome } from '../../tracks/TrackBook.js';
import { TrackBook, trackBookOptions } from '../../tracks/TrackBook.js';
import { allocationsOfE0501, allocationsOfList } from '../../tracks/readAllocations.js';
import { Validator } from '../../validation/Validator.js';
import { readElements } from '../../validation/xml/elementReader.js';
import { EXIT } from '../exit.js';
import { operatorName } from '../selectMessages.js';
import { padEnd } from '../text.js';

const time = (ms: number | null): string | null => (ms === null ? null : toTaiwanIso(new Date(ms)));

function periodOption(text: string | undefined): string {
  if (text === undefined) return periodOfTime(Date.now());
  // Strict here: an operator's typo must not silently name another period.
  if (!/^\d{3}(02|04|06|08|10|12)$/.test(text) || !periodBounds(text)) {
    const near = normalizePeriod(text);
    throw new UsageError(
      `--period "${text}" is not a period: the ROC year and the even month, e.g. 11510${near ? ` (did you mean ${near}?)` : ''}`,
    );
  }
  return text;
}

/** `turnkey tracks --config F blank …`: the parent's options count for its subcommands. */
function inherited<T extends { config?: string; json?: boolean }>(options: T, command: Command | undefined): T {
  const parent = command?.parent?.opts() as { config?: string; json?: boolean } | undefined;
  const config = options.config ?? parent?.config;
  const json = options.json ?? parent?.json;
  return { ...options, ...(config !== undefined && { config }), ...(json !== undefined && { json }) };
}

function print(json: boolean | undefined, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : text());
}

function validatorFor(config: TurnkeyConfig): Promise<Validator> {
  return Validator.create({
    ...(config.validation.schemasDir !== null && { schemasDir: config.validation.schemasDir }),
    lang: config.validation.lang,
  });
}

/** `turnkey tracks [--period P]`: read-only. */
export function runTracks(options: { period?: string; config?: string; json?: boolean }): void {
  const config = loadConfig(locateConfig(options.config).path);
  const period = periodOption(options.period);
  const store = Store.openReadOnly(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    const book = new TrackBook(store.db, config.dataRoot, Date.now, trackBookOptions(config));
    const { ranges, forecasts } = book.stock(period);
    const blank = book.blankPlan(period, config.tracks.blankReport);
    const reports = book.reports.ofPeriod(period);
    const value = {
      period,
      ranges: ranges.map((r) => ({
        ban: r.allocation.ban,
        headBan: r.allocation.headBan,
        invoiceType: r.allocation.invoiceType,
        track: r.allocation.track,
        begin: formatNumber(r.allocation.track, r.allocation.begin),
        end: formatNumber(r.allocation.track, r.allocation.end),
        booklets: r.allocation.booklets,
        source: r.allocation.source,
        used: r.used,
        skipped: r.skipped,
        remaining: r.remaining,
        nextFree: r.nextFree === null ? null : formatNumber(r.allocation.track, r.nextFree),
      })),
      forecasts: forecasts.map((f) => ({ ...f, runsOutAt: time(f.runsOutAt), periodEnd: time(f.periodEnd) })),
      blankReport: {
        reports: reports.map((r) => ({ ...r, createdAt: time(r.createdAt), droppedAt: time(r.droppedAt) })),
        blockers: blank.blockers,
        unused: blank.messages.reduce((n, m) => n + m.numbers, 0),
      },
    };
    print(options.json, value, () => {
      const lines = [`Tracks of period ${period}`];
      if (ranges.length === 0) lines.push('  no allocation known: turnkey tracks import <E0501 or list>, or wait for the E0501 download');
      for (const r of value.ranges) {
        lines.push(
          `  ${r.ban}${r.headBan ? ` (from ${r.headBan})` : ''} ${r.invoiceType} ${r.begin}–${r.end}  used ${padEnd(String(r.used), 6)}` +
            ` skipped ${padEnd(String(r.skipped), 5)} remaining ${padEnd(String(r.remaining), 6)} next ${r.nextFree ?? '(used up)'}`,
        );
      }
      for (const f of value.forecasts) {
        const rate = f.perDay === null ? 'not started' : `${Math.round(f.perDay)} a day`;
        const until = f.runsOutAt === null ? 'lasts the period' : `runs out about ${f.runsOutAt}`;
        lines.push(
          `  ${f.ban} type ${f.invoiceType}: ${f.remaining} of ${f.total} left, ${rate}, ` +
            `${until}${f.short ? '  ← APPLY FOR MORE NOW' : ''}`,
        );
      }
      if (reports.length > 0) {
        for (const r of reports)
          lines.push(`  E0402 ${r.fileName}: ${r.ranges} range(s), ${r.numbers} number(s), ${r.state} ${time(r.droppedAt) ?? ''}`);
      } else if (ranges.length > 0) {
        lines.push(`  unused numbers (E0402): ${value.blankReport.unused}; not reported yet`);
        for (const b of blank.blockers) lines.push(`    waits: ${b.detail}`);
      }
      return `${lines.join('\n')}\n`;
    });
  } finally {
    store.close();
  }
  process.exitCode = EXIT.ok;
}

/** `turnkey tracks import <file>`. */
export async function runTracksImport(
  file: string,
  given: { ban?: string; type?: string; dryRun?: boolean; config?: string; json?: boolean },
  command?: Command,
): Promise<void> {
  const options = inherited(given, command);
  const config = loadConfig(locateConfig(options.config).path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const allocations = await readAllocationFile(file, bytes, config, options);
  const store = Store.open(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    const book = new TrackBook(store.db, config.dataRoot, Date.now, trackBookOptions(config));
    const outcome = book.allocations.record(allocations, { source: 'file', sourceRef: file }, { dryRun: options.dryRun === true });
    const show = (a: Allocation) => ({
      ban: a.ban,
      period: a.period,
      invoiceType: a.invoiceType,
      range: formatRange(a.track, a.begin, a.end),
      booklets: a.booklets,
    });
    const value = {
      file,
      dryRun: options.dryRun === true,
      recorded: outcome.conflicts.length === 0 && !options.dryRun,
      added: outcome.added.map(show),
      known: outcome.known.map(show),
      conflicts: outcome.conflicts.map((c) => ({
        ...show(c.allocation),
        with: { ...show(c.with), source: c.with.source, sourceRef: c.with.sourceRef },
      })),
    };
    if (value.recorded && outcome.added.length > 0) {
      new OperatorActions(store.db, operatorName()).note('tracks import', `recorded ${outcome.added.length} allocation(s) from ${file}`);
    }
    print(options.json, value, () => {
      const lines: string[] = [];
      for (const a of value.added)
        lines.push(
          `${value.recorded ? 'recorded' : 'would record'}: ${a.ban} ${a.period} ${a.invoiceType} ${a.range} (${a.booklets} booklets)`,
        );
      for (const a of value.known) lines.push(`already known: ${a.ban} ${a.period} ${a.range}`);
      for (const c of value.conflicts)
        lines.push(
          `CONFLICT: ${c.ban} ${c.period} ${c.range} overlaps ${c.with.range} of ${c.with.ban} (${c.with.source} ${c.with.sourceRef})`,
        );
      if (outcome.conflicts.length > 0) lines.push('nothing was recorded: correct the file, or the allocation it overlaps');
      return `${lines.join('\n')}\n`;
    });
    process.exitCode = outcome.conflicts.length > 0 ? EXIT.findings : EXIT.ok;
  } finally {
    store.close();
  }
}

async function readAllocationFile(
  file: string,
  bytes: Buffer,
  config: TurnkeyConfig,
  options: { ban?: string; type?: string },
): Promise<Allocation[]> {
  try {
    const text = bytes.toString('utf8');
    if (extname(file).toLowerCase() === '.xml' || text.trimStart().startsWith('<')) {
      const validator = await validatorFor(config);
      try {
        const report = validator.validate(bytes, { file });
        if (!report.valid) {
          throw new UsageError(`${file} is not a valid E0501: ${report.errors.map((e) => `${e.code}: ${e.message}`).join('; ')}`);
        }
      } finally {
        validator.dispose();
      }
      return allocationsOfE0501(readElements(text));
    }
    // The only sender's BAN, when it sends for that BAN alone; otherwise the list must say, or --ban.
    const only = config.platform?.senders.length === 1 ? config.platform.senders[0]! : null;
    const ban = options.ban ?? (only && only.bans.length === 1 && only.bans[0] === only.partyId ? only.partyId : null);
    return allocationsOfList(text, { ban, ...(options.type !== undefined && { invoiceType: options.type }) });
  } catch (err) {
    if (err instanceof TrackError) throw new UsageError(`${file}: ${err.message}`, err.hint === undefined ? {} : { hint: err.hint });
    throw err;
  }
}

/** `turnkey tracks blank --period P`. */
export async function runTracksBlank(options: {
  period: string;
  dryRun?: boolean;
  force?: boolean;
  config?: string;
  json?: boolean;
}): Promise<void> {
  const config = loadConfig(locateConfig(options.config).path);
  const period = periodOption(options.period);
  const store = Store.open(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  const validator = await validatorFor(config);
  try {
    const book = new TrackBook(store.db, config.dataRoot, Date.now, trackBookOptions(config));
    const outcome = book.generate(period, config.tracks.blankReport, {
      trigger: 'cli',
      validator,
      ...(options.force && { force: true }),
      ...(options.dryRun && { dryRun: true }),
    });
    if (outcome.dropped) {
      new OperatorActions(store.db, operatorName()).note(
        `tracks blank${options.force ? ' --force' : ''}`,
        `E0402 of period ${period}: ${outcome.messages.map((m) => m.fileName).join(', ')}`,
      );
    }
    print(options.json, blankJson(outcome, book.srcDir()), () => blankText(outcome, options.dryRun === true));
    // Done, or nothing to do (every number used): 0; held back: 1.
    process.exitCode = outcome.blockers.length === 0 ? EXIT.ok : EXIT.findings;
  } finally {
    validator.dispose();
    store.close();
  }
}

function blankJson(outcome: BlankOutcome, src: string) {
  return {
    period: outcome.period,
    dropped: outcome.dropped,
    src,
    blockers: outcome.blockers,
    reported: outcome.reported,
    messages: outcome.messages.map((m) => ({
      fileName: m.fileName,
      headBan: m.headBan,
      branchBan: m.branchBan,
      invoiceType: m.invoiceType,
      track: m.track,
      part: m.part,
      numbers: m.numbers,
      ranges: m.ranges.map((r) => ({ begin: formatNumber(m.track, r.begin), end: formatNumber(m.track, r.end) })),
    })),
  };
}

function blankText(outcome: BlankOutcome, dryRun: boolean): string {
  const lines: string[] = [];
  for (const m of outcome.messages) {
    lines.push(
      `${m.fileName}: ${m.headBan}/${m.branchBan} type ${m.invoiceType} track ${m.track}, ${m.ranges.length} range(s), ${m.numbers} ` +
        `number(s)`,
    );
    for (const r of m.ranges.slice(0, 20)) lines.push(`  ${formatRange(m.track, r.begin, r.end)}`);
    if (m.ranges.length > 20) lines.push(`  … ${m.ranges.length - 20} more (--json lists all)`);
  }
  for (const r of outcome.reported) lines.push(`reported already: ${r.fileName} (${r.state ?? 'waiting in SRC'})`);
  if (outcome.messages.length === 0 && outcome.reported.length === 0) lines.push(`no unused number in period ${outcome.period}`);
  for (const b of outcome.blockers) lines.push(`NOT REPORTED [${b.code}]: ${b.detail}${b.forcible ? ' (--force to report anyway)' : ''}`);
  if (outcome.dropped) lines.push(`written into E0402's SRC: they are sent and confirmed like any message (turnkey status <file name>)`);
  else if (dryRun && outcome.blockers.length === 0) lines.push('dry run: nothing written');
  return `${lines.join('\n')}\n`;
}
