import { readFileSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { resultFailpoint as failpoint } from './resultFailpoints.js';
import { classifyOutboxName, type OutboxFileKind } from '../protocol/names.js';
import type { OutboundQueries, PackMessageRef } from '../store/OutboundQueries.js';
import type { AsyncValidator, Finding, ValidationReport } from '../validation/types.js';
import type { MessageVerdict, PackMove, PackTransitions } from '../store/PackTransitions.js';
import type { ReceivedFile, ReceivedFiles } from '../store/ReceivedFiles.js';
import type { PlatformFiles } from '../transport/PlatformFiles.js';
import { readElements } from '../validation/xml/elementReader.js';
import { TrackAllocations, type Allocation } from '../store/TrackAllocations.js';
import { formatRange, TrackError } from '../tracks/Allocation.js';
import { allocationsOfE0501 } from '../tracks/readAllocations.js';
import { failureReasons, packError, verdictsFor, type FailureReason } from './matchResults.js';
import { readProcessResult, readSummaryResult, type ProcessResultContent, type SummaryEntry } from './parseResult.js';
import type { ResultInbox } from './ResultInbox.js';

export interface ResultEvents {
  changes(changes: PackMove[]): void;
  /** Something the operator should know: an unknown pack, a conflicting copy, an invalid result. */
  problem(file: string, problem: string): void;
  received(file: string, kind: OutboxFileKind): void;
  /** The platform refused a whole pack (E0004: it cannot verify the signature): the sender may need holding. */
  packRefused(pack: { commonName: string; fromPartyId: string; signerFingerprint: string | null }, code: string, text: string): void;
  /** An E0501 was recorded: how many of its ranges were new, and how many known already. */
  allocations?(file: string, added: number, known: number): void;
}

const KIND_ORDER: Partial<Record<OutboxFileKind, number>> = { ProcessResult: 0, SummaryResult: 1 };
/**
 * Received files checked on the validation thread at once, then applied in order: the thread is
 * busy with intake's batches during a burst, so a pass waits for it once per group, not per file.
 */
const CHECKED_AT_ONCE = 16;

/** A received file's bytes and what its schema says of them. */
interface Checked {
  bytes: Buffer;
  report: ValidationReport;
}

/** Result downloads in flight on one link: enough to hide a 20 ms round trip behind the others. */
const DOWNLOADS_IN_FLIGHT = 8;

/**
 * Takes the platform's result files from `out/`, durably (published locally and recorded before
 * the remote copy is deleted), and applies each to its pack: every invoice named Good is
 * `confirmed`, every one named Failed `rejected` with the platform's code and text. A crash at any
 * step repeats safely: a file already published is recognised by its bytes, a file already
 * recorded is not recorded twice, a file recorded but not applied is applied at the next pass.
 */
export class ResultCollector {
  constructor(
    private readonly db: Database,
    /** The out/ folders to take results from: one per transport account. */
    private readonly links: readonly PlatformFiles[],
    private readonly inbox: ResultInbox,
    private readonly received: ReceivedFiles,
    private readonly queries: OutboundQueries,
    private readonly packs: PackTransitions,
    /** The daemon's validation thread: a large SummaryResult is not read on the main thread. */
    private readonly validator: AsyncValidator,
    private readonly events: ResultEvents,
  ) {
    this.tracks = new TrackAllocations(db);
  }

  private readonly tracks: TrackAllocations;
  /** The pass applying received files, if one is under way: passes run one after another. */
  private applying: Promise<void> = Promise.resolve();

  /**
   * One pass: receive what is in each out/ folder, then apply everything received and not yet
   * applied. An account that cannot be reached keeps no other from being read, nor what was
   * received from being applied; its failure is thrown afterwards, for the caller to log. `skip`
   * leaves out accounts that must not log in now (held for the operator).
   */
  async collect(skip: (link: PlatformFiles) => boolean = () => false): Promise<number> {
    let taken = 0;
    let failure: unknown = null;
    for (const link of this.links) {
      if (skip(link)) continue;
      try {
        taken += await this.receive(link);
      } catch (err) {
        failure ??= err;
      }
    }
    await this.applyPending();
    if (failure !== null) throw failure;
    return taken;
  }

  /**
   * Takes every file of one account's `out/`, listed once: several downloads in flight (a link's
   * round trips overlap instead of adding up), each file published and recorded in listing order
   * as it arrives, and only then removed remotely (removals in flight too).
   */
  private async receive(link: PlatformFiles): Promise<number> {
    const listed = await link.list('out');
    listed.sort(
      (a, b) =>
        (KIND_ORDER[classifyOutboxName(a.name)] ?? 2) - (KIND_ORDER[classifyOutboxName(b.name)] ?? 2) || a.name.localeCompare(b.name),
    );
    // An empty file is being written, or broken: look again next time.
    const wanted = listed.filter((f) => f.size > 0);
    const downloads: Array<Promise<Buffer>> = [];
    const startDownload = (i: number): void => {
      if (i >= wanted.length) return;
      downloads[i] = link.download(`out/${wanted[i]!.name}`);
      downloads[i]!.catch(() => undefined); // awaited in turn below; a failure is thrown there
    };
    for (let i = 0; i < DOWNLOADS_IN_FLIGHT; i++) startDownload(i);
    const removals: Array<Promise<void>> = [];
    let taken = 0;
    let failure: unknown = null;
    try {
      for (let i = 0; i < wanted.length; i++) {
        const file = wanted[i]!;
        const bytes = await downloads[i]!;
        startDownload(i + DOWNLOADS_IN_FLIGHT);
        if (bytes.length !== file.size) continue; // changed while listed: look again next time
        const kind = classifyOutboxName(file.name);
        const publication = this.inbox.publish(file.name, bytes);
        failpoint('after-result-download');
        if (publication.kind === 'conflict') {
          this.events.problem(file.name, `a second, different copy was kept as ${publication.conflictPath}; the first one stands`);
        }
        if (!this.received.find(file.name)) {
          this.received.record({
            remoteName: file.name,
            kind,
            size: bytes.length,
            sha256: publication.sha256,
            localPath: publication.path,
          });
          this.events.received(file.name, kind);
        }
        const removal = link.remove(`out/${file.name}`);
        removal.catch(() => undefined);
        removals.push(removal);
        taken++;
      }
    } catch (err) {
      failure = err;
    }
    // Whatever happened, no removal is left running unobserved; the first failure is the pass's.
    const failed = (await Promise.allSettled(removals)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    failure ??= failed ? failed.reason : null;
    if (failure !== null) throw failure;
    return taken;
  }

  /** Applies every received file not yet applied (also after a crash between receiving and applying). */
  applyPending(): Promise<void> {
    // One pass at a time: the start's recovery and a collection must not apply one file twice.
    const pass = this.applying.then(async () => {
      const files = this.received.unapplied();
      for (let i = 0; i < files.length; i += CHECKED_AT_ONCE) {
        const group = files.slice(i, i + CHECKED_AT_ONCE);
        const checked = await Promise.allSettled(group.map((file) => this.check(file)));
        // In order, up to a file that could not be checked (gone, or the thread failed): the next pass starts there.
        for (const [j, file] of group.entries()) {
          const outcome = checked[j]!;
          if (outcome.status === 'rejected') throw outcome.reason;
          this.apply(file, outcome.value);
        }
      }
    });
    this.applying = pass.catch(() => undefined);
    return pass;
  }

  /** A received file of a kind that is applied, read and checked against its schema; null for the others. */
  private async check(file: ReceivedFile): Promise<Checked | null> {
    if (file.kind !== 'E0501' && file.kind !== 'ProcessResult' && file.kind !== 'SummaryResult') return null;
    const bytes = readFileSync(file.localPath);
    return { bytes, report: await this.validator.validate(bytes, { file: file.remoteName }) };
  }

  private apply(file: ReceivedFile, checked: Checked | null): void {
    if (checked === null) {
      // Other inbound files are kept for their own readers.
      const problem = file.kind === 'unknown' ? 'a file of unknown kind: kept, not applied' : null;
      this.db.transaction(() => this.received.markApplied(file.id, null, problem)).immediate();
      if (problem) this.events.problem(file.remoteName, problem);
      return;
    }
    if (file.kind === 'E0501') return this.applyAllocations(file, checked);
    const { bytes, report } = checked;
    // Only a document of the right kind can be read; one odd field of it (what its schema refuses)
    // must not strand a whole pack: what can be read is applied, and the rest reported.
    const readable = report.messageType === file.kind && report.errors.every((e) => e.code === 'xsd');
    if (!readable) {
      this.markProblem(file, null, `not a readable ${file.kind}: ${describe(report.errors)}`);
      return;
    }
    const oddities = report.valid ? null : `applied what could be read; ${file.kind}.xsd refuses: ${describe(report.errors)}`;
    const root = readElements(bytes.toString('utf8'));
    if (file.kind === 'ProcessResult') this.applyProcessResult(file, readProcessResult(root), oddities);
    else this.applySummaryResult(file, readSummaryResult(root).entries, oddities);
  }

  /**
   * An E0501: the platform's number allocations for the merchant, recorded with the file's being
   * applied (one transaction). One that overlaps a different recorded range records nothing and
   * is reported; the same allocations again change nothing.
   */
  private applyAllocations(file: ReceivedFile, { bytes, report }: Checked): void {
    if (!report.valid) return this.markProblem(file, null, `not a readable E0501: ${describe(report.errors)}`);
    let allocations: Allocation[];
    try {
      allocations = allocationsOfE0501(readElements(bytes.toString('utf8')));
    } catch (err) {
      if (!(err instanceof TrackError)) throw err;
      return this.markProblem(file, null, `an E0501 that cannot be used: ${err.message}`);
    }
    const outcome = this.db
      .transaction(() => {
        const recorded = this.tracks.record(allocations, { source: 'E0501', sourceRef: file.remoteName });
        const problem =
          recorded.conflicts.length === 0
            ? null
            : `allocation-conflict: nothing of it was recorded; ${recorded.conflicts
                .map(
                  (c) =>
                    `${formatRange(c.allocation.track, c.allocation.begin, c.allocation.end)} of ${c.allocation.ban} overlaps ` +
                    `${formatRange(c.with.track, c.with.begin, c.with.end)} of ${c.with.ban} (${c.with.source} ${c.with.sourceRef})`,
                )
                .join('; ')}`;
        this.received.markApplied(file.id, null, problem);
        return { recorded, problem };
      })
      .immediate();
    if (outcome.problem) this.events.problem(file.remoteName, outcome.problem);
    else this.events.allocations?.(file.remoteName, outcome.recorded.added.length, outcome.recorded.known.length);
  }

  /**
   * A ProcessResult error about the whole pack (it names none of its messages: a broken signature
   * is E0004) rejects every message. Otherwise the ProcessResult only explains the SummaryResult
   * (the reasons of the messages it lists as Failed).
   */
  private applyProcessResult(file: ReceivedFile, result: ProcessResultContent, oddities: string | null): void {
    const pack = this.queries.packByCommonName(result.messageId);
    if (!pack)
      return this.markProblem(
        file,
        null,
        joined(`a result for a pack this turnkey never sent (${result.messageId}): kept and reported`, oddities),
      );
    const messages = this.queries.messagesOf(pack.id);
    const error = packError(result.infos);
    if (!error) {
      this.db.transaction(() => this.received.markApplied(file.id, pack.id, oddities)).immediate();
      if (oddities) this.events.problem(file.remoteName, oddities);
      return;
    }
    const verdicts = messages.map((m) => ({
      messageId: m.messageId,
      verdict: 'rejected' as const,
      code: error.code,
      text: error.description ?? `the platform refused the whole pack (${error.code})`,
    }));
    this.events.changes(this.packs.settle(pack.id, verdicts, () => this.received.markApplied(file.id, pack.id, oddities)));
    failpoint('after-result-apply');
    if (oddities) this.events.problem(file.remoteName, oddities);
    this.events.packRefused(pack, error.code, verdicts[0]?.text ?? error.code);
  }

  private applySummaryResult(file: ReceivedFile, entries: SummaryEntry[], oddities: string | null): void {
    const problems: string[] = oddities ? [oddities] : [];
    const settled: Array<{ packId: number; verdicts: MessageVerdict[] }> = [];
    for (const entry of entries) {
      const pack = this.queries.packByCommonName(entry.messageId);
      if (!pack) {
        problems.push(`a result for a pack this turnkey never sent (${entry.messageId})`);
        continue;
      }
      const messages = this.queries.messagesOf(pack.id);
      const { reasons, wholePack } = this.processResultReasons(pack.id, numbersOf(messages));
      const { verdicts, problem } = verdictsFor(messages, entry, reasons, wholePack);
      if (problem) problems.push(problem);
      if (verdicts.length > 0) settled.push({ packId: pack.id, verdicts });
    }
    const problem = problems.length ? problems.join('; ') : null;
    const packId = settled.length === 1 ? settled[0]!.packId : null;
    const changes = this.db
      .transaction(() => {
        const all: PackMove[] = [];
        for (const { packId: id, verdicts } of settled) all.push(...this.packs.settle(id, verdicts, () => undefined));
        this.received.markApplied(file.id, packId, problem);
        return all;
      })
      .immediate();
    this.events.changes(changes);
    failpoint('after-result-apply');
    if (problem) this.events.problem(file.remoteName, problem);
  }

  /** What the pack's ProcessResult (when it came) says of its messages, and of the whole pack. */
  private processResultReasons(
    packId: number,
    numbers: ReadonlySet<string>,
  ): { reasons: Map<string, FailureReason>; wholePack: FailureReason | null } {
    const reasons = new Map<string, FailureReason>();
    let wholePack: FailureReason | null = null;
    for (const file of this.received.ofPackAndKind(packId, 'ProcessResult')) {
      const { infos } = readProcessResult(readElements(readFileSync(file.localPath, 'utf8')));
      for (const [number, reason] of failureReasons(infos, numbers)) reasons.set(number, reason);
      const error = packError(infos);
      if (error) wholePack = { code: error.code, text: error.description ?? error.code };
    }
    return { reasons, wholePack };
  }

  private markProblem(file: ReceivedFile, packId: number | null, problem: string): void {
    this.db.transaction(() => this.received.markApplied(file.id, packId, problem)).immediate();
    this.events.problem(file.remoteName, problem);
  }
}

function numbersOf(messages: readonly PackMessageRef[]): Set<string> {
  return new Set(messages.flatMap((m) => (m.invoiceNumber ? [m.invoiceNumber] : [])));
}

function describe(errors: readonly Finding[]): string {
  return errors
    .map((e) => `${e.code}: ${e.message}`)
    .join('; ')
    .slice(0, 500);
}

function joined(...parts: Array<string | null>): string {
  return parts.filter((p) => p !== null).join('; ');
}
