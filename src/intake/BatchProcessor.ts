import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { intakeFailpoint as failpoint } from './intakeFailpoints.js';
import { logStateChange } from '../log/logStateChange.js';
import type { IntakeFileRow, IntakeOutcome, Disposition } from '../store/IntakeJournal.js';
import { IntakeJournal } from '../store/IntakeJournal.js';
import { MessageBytes } from '../store/MessageBytes.js';
import { MessageEvents } from '../store/MessageEvents.js';
import { MessageQueries, type KeyHolder } from '../store/MessageQueries.js';
import { MessageTransitions, type StateChange } from '../store/MessageTransitions.js';
import { Problems } from '../store/Problems.js';
import type { Store } from '../store/Store.js';
import { decideIntake, type IntakeContext } from './decideIntake.js';
import { storeFacts, type TrackCheck } from './storeRules.js';
import { TrackAllocations } from '../store/TrackAllocations.js';
import { allotmentsOfE0401 } from '../tracks/readAllocations.js';
import { AllowanceLedger } from '../store/AllowanceLedger.js';
import type { Lang } from '../validation/messages.js';
import type { MessageFields } from '../validation/types.js';
import { errReportInput, type ErrReportInput, type ReportFinding } from './ErrReport.js';
import { entryExists, Filer, workEntry, type FilingTarget } from './Filer.js';
import type { IntakeLayout, TypeFolders } from './IntakeLayout.js';
import type { FileInspector } from './FileInspector.js';
import { refusedAsUnreadable, type InspectedFile } from './inspectFile.js';

/** Batches of at least this many filed files are settled in a transaction of their own, at once. */
const SETTLE_AT_ONCE = 64;

/** Running out of file handles or memory is the daemon's own trouble, never held against a file. */
const OUR_OWN_TROUBLE = new Set(['EMFILE', 'ENFILE', 'ENOMEM']);

/** What intake's own decisions need besides the store: the language of its messages, and who may be sent for. */
export interface IntakeRules {
  /** The language of intake's own findings (default: English). */
  lang?: Lang;
  /** Whether a configured sender covers this seller; absent when nothing is sent (no platform). */
  covers?: (sellerId: string) => boolean;
  /** The legal upload deadline of a valid message (epoch ms), null when none applies; absent: none recorded. */
  uploadDeadline?: (messageType: string, fields: MessageFields) => number | null;
  /** What the rules that need allocations do (default: refuse). */
  trackCheck?: TrackCheck;
  /**
   * A claimed file that stays unreadable this long (its permissions, a lock that does not go away,
   * an I/O error) is refused as `unreadable` and filed in ERR, instead of being tried again forever
   * (default: a minute).
   */
  unreadableGiveUpMs?: number;
}

/** A file renamed from SRC into WORK under its claim name: ours to process. */
export interface ClaimedFile {
  folder: TypeFolders;
  claimName: string;
  originalName: string;
  workPath: string;
  /** Still in SRC at this path: the inspector claims it (renames it to `workPath`) first. */
  srcPath?: string;
  /** The path as bytes, for a name that is not UTF-8 (`srcPath` then holds a readable stand-in). */
  srcBytes?: Uint8Array;
}

export interface BatchOutcome {
  accepted: number;
  invalid: number;
  duplicates: number;
  /** Locked or unreadable for now: left in WORK, to be tried again. */
  deferred: ClaimedFile[];
  /** Gone from WORK before they could be read (someone removed them). */
  vanished: number;
}

/** A file read and validated, with where it came from. */
type Inspected = Extract<InspectedFile, { kind: 'read' }> & { file: ClaimedFile };

/** A recorded file on its way to BAK/ERR. */
interface Pending {
  journalId: number;
  messageId: number;
  outcome: IntakeOutcome;
  disposition: Disposition;
  folder: TypeFolders;
  originalName: string;
  claimName: string;
  target: FilingTarget;
  workPath: string;
  /** The state the message moves to once the file is filed; null: no change (a duplicate). */
  settleTo: 'queued' | 'invalid' | null;
  errorCode: string | null;
  /** For the log line written when the message settles. */
  messageKey: string | null;
  messageType: string;
  report: ErrReportInput | null;
  /** Recovery found the file already at its target (or gone): nothing to move. */
  skipMove: boolean;
}

/**
 * The crash-safe path of a batch of claimed files: read + hash + validate (by the inspector, on
 * this thread or in workers; nothing is written) → then, synchronously, ONE transaction records every message, its event, its
 * bytes and its journal row (state `received`) → each file is renamed to BAK/ERR (reports first)
 * and each folder fsynced once → the next batch's record transaction (or `flush()` when intake
 * goes idle or stops) marks the files filed and settles the messages (`queued` or `invalid`): one
 * commit per batch. A kill at any point leaves either an unrecorded file in WORK (processed again)
 * or a journal row not yet filed (moved and settled again by `refile`): nothing is recorded twice
 * and nothing is lost.
 */
export class BatchProcessor {
  private readonly transitions: MessageTransitions;
  private readonly events: MessageEvents;
  private readonly journal: IntakeJournal;
  private readonly bytes: MessageBytes;
  private readonly queries: MessageQueries;
  private readonly ledger: AllowanceLedger;
  private readonly tracks: TrackAllocations;
  private readonly context: IntakeContext;
  private readonly uploadDeadline: IntakeRules['uploadDeadline'] | null;
  private readonly unreadableGiveUpMs: number;
  private readonly filer: Filer;
  /** Files of the last batch: filed and fsynced, their messages still `received`. */
  private unsettled: Pending[] = [];
  /** Messages this processor has moved to `queued` so far (committed): sending watches it grow. */
  queuedTotal = 0;
  /** When a claimed file was first found unreadable, by its WORK path. */
  private readonly unreadableSince = new Map<string, number>();
  readonly problems: Problems;

  constructor(
    private readonly store: Store,
    private readonly inspector: FileInspector,
    private readonly layout: IntakeLayout,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    rules: IntakeRules = {},
  ) {
    const db = store.db;
    this.transitions = new MessageTransitions(db, now);
    this.events = new MessageEvents(db, now);
    this.journal = new IntakeJournal(db, now);
    this.bytes = new MessageBytes(db, now);
    this.queries = new MessageQueries(db);
    this.ledger = new AllowanceLedger(db);
    this.tracks = new TrackAllocations(db, now);
    this.problems = new Problems(db, 'intake', now);
    this.filer = new Filer(layout, this.problems, logger);
    this.uploadDeadline = rules.uploadDeadline ?? null;
    this.unreadableGiveUpMs = rules.unreadableGiveUpMs ?? 60_000;
    this.context = {
      holderOf: (key) => this.queries.findKeyHolder(key),
      latestOf: (number, key) => this.queries.latestVersion(number, key),
      facts: storeFacts(this.queries, this.ledger, this.tracks, rules.trackCheck ?? 'refuse'),
      lang: rules.lang ?? 'en',
      ...(rules.covers && { covers: rules.covers }),
    };
  }

  /** Recorded files left in WORK because their folder would not take them: refile them later. */
  get filingPending(): boolean {
    return this.filer.filingPending;
  }

  set filingPending(pending: boolean) {
    this.filer.filingPending = pending;
  }

  /** Processes freshly claimed files (or WORK files left unrecorded by a crash). */
  async process(files: readonly ClaimedFile[]): Promise<BatchOutcome> {
    return this.commit(files, await this.inspect(files));
  }

  /**
   * Claims the files still in SRC, then reads, hashes and validates them (nothing is recorded): may
   * run while another batch is committed.
   */
  inspect(files: readonly ClaimedFile[]): Promise<InspectedFile[]> {
    return this.inspector.inspect(
      files.map((f) => ({
        path: f.workPath,
        name: f.originalName,
        ...(f.srcPath !== undefined && { claimFrom: f.srcBytes ?? f.srcPath }),
      })),
    );
  }

  /**
   * Records and files inspected files: synchronous, one transaction and one fsync per folder. Files
   * that could not be claimed are skipped (they are not ours: the caller looks at them again).
   */
  commit(files: readonly ClaimedFile[], results: readonly InspectedFile[]): BatchOutcome {
    const outcome: BatchOutcome = { accepted: 0, invalid: 0, duplicates: 0, deferred: [], vanished: 0 };
    const inspected: Inspected[] = [];
    files.forEach((file, i) => {
      const result = results[i]!;
      if (result.kind === 'unclaimed') return;
      if (result.kind === 'read') {
        this.unreadableSince.delete(file.workPath);
        if (result.validatorError !== undefined) {
          this.logger.error(
            { event: 'validator-failure', file: file.originalName, err: result.validatorError },
            'the validator failed on a file',
          );
        }
        inspected.push({ ...result, file });
      } else if (result.code === 'ENOENT') {
        this.unreadableSince.delete(file.workPath);
        outcome.vanished++;
        this.logger.warn(
          { event: 'file-vanished', file: file.originalName, folder: file.folder.base },
          'a claimed file disappeared from WORK before it was read',
        );
      } else if (this.unreadableTooLong(file.workPath, result.code)) {
        // Whatever the error (a lock, permissions, EIO on a failing share): one file never stops the others.
        this.unreadableSince.delete(file.workPath);
        inspected.push({ ...(refusedAsUnreadable(file.originalName, result.code) as Extract<InspectedFile, { kind: 'read' }>), file });
      } else {
        outcome.deferred.push(file);
      }
    });
    failpoint('after-validate');
    if (inspected.length === 0) return outcome;

    const pending = this.record(inspected);
    failpoint('after-record');
    const filed = this.filer.fileAll(pending, 'mid-move');
    failpoint('after-move');
    this.unsettled.push(...filed);
    // A large batch is settled at once: one more commit is nothing beside it, and its messages can
    // be sent a batch sooner. A small one is settled by the next batch's record transaction (one
    // commit per batch), or by flush() when intake goes idle.
    if (filed.length >= SETTLE_AT_ONCE) this.flush();

    for (const p of filed) {
      if (p.outcome === 'new') outcome.accepted++;
      else if (p.outcome === 'duplicate') outcome.duplicates++;
      else outcome.invalid++;
    }
    return outcome;
  }

  /** Tracks a file that cannot be read; true once it has been so for too long (the file's fault). */
  private unreadableTooLong(workPath: string, code: string | undefined): boolean {
    const now = this.now();
    const since = this.unreadableSince.get(workPath);
    if (since === undefined) {
      this.unreadableSince.set(workPath, now);
      this.logger.warn({ event: 'file-deferred', file: workPath, code }, 'a claimed file could not be read now; it will be tried again');
      return false;
    }
    return !OUR_OWN_TROUBLE.has(code ?? '') && now - since >= this.unreadableGiveUpMs;
  }

  /**
   * Settles the files of the last batch now (they are otherwise settled by the next batch's record
   * transaction): called when intake goes idle and when it stops.
   */
  flush(): void {
    if (this.unsettled.length === 0) return;
    this.settle(this.unsettled);
    this.unsettled = [];
    failpoint('after-settle');
  }

  /**
   * Finishes recorded files whose move was not confirmed (after a crash, or a failed rename):
   * moves the file from WORK to its target (re-writing the ERR report), then settles. Repeatable.
   */
  refile(rows: readonly IntakeFileRow[]): number {
    this.flush();
    const pending: Pending[] = [];
    const reserved = new Set<string>();
    for (const row of rows) {
      const folder = this.layout.foldersOf(row.folderType);
      const facts = this.queries.filingFacts(row.messageId);
      if (!folder || !facts) {
        this.logger.error(
          { event: 'refile-impossible', journalId: row.id, folderType: row.folderType },
          'a journal row names an unknown folder or message',
        );
        continue;
      }
      const workPath = join(folder.work, row.claimName);
      const planned = this.layout.toAbsolute(row.targetPath);
      let target: FilingTarget = { rel: row.targetPath, abs: planned, dir: dirname(planned) };
      let skipMove = false;
      const inWork = workEntry(workPath);
      if (inWork === 'unknown') {
        this.filingPending = true; // cannot tell now (WORK not searchable): looked at again later
        continue;
      }
      if (inWork === 'absent') {
        skipMove = true;
        if (!entryExists(target.abs)) {
          this.store.db.transaction(() =>
            this.events.append(row.messageId, 'file-missing', { detail: `${row.originalName}: neither in WORK nor at ${row.targetPath}` }),
          )();
          this.logger.error(
            { event: 'file-missing', messageId: row.messageId, file: row.originalName, target: row.targetPath },
            'a recorded file is neither in WORK nor at its target',
          );
        }
      } else if (reserved.has(target.abs) || entryExists(target.abs)) {
        // Something else took the planned name meanwhile: never overwrite it. (Reports found at
        // the planned name are this file's own, written before the crash: they are rewritten.)
        target = this.filer.allocateTarget(folder, row.disposition, row.originalName, facts.receivedAt, reserved);
        const newTarget = target.rel;
        this.store.db.transaction(() => {
          this.journal.retarget(row.id, newTarget);
          this.events.append(row.messageId, 'file-retargeted', { detail: `${row.targetPath} → ${newTarget}` });
        })();
      } else {
        reserved.add(target.abs);
      }
      const findings = facts.findingsJson
        ? (JSON.parse(facts.findingsJson) as { errors: ReportFinding[]; warnings: ReportFinding[] })
        : null;
      pending.push({
        journalId: row.id,
        messageId: row.messageId,
        outcome: row.outcome,
        disposition: row.disposition,
        folder,
        originalName: row.originalName,
        claimName: row.claimName,
        target,
        workPath,
        settleTo: facts.state === 'received' ? settleStateOf(row.outcome) : null,
        errorCode: facts.errorCode,
        messageKey: facts.messageKey,
        messageType: facts.messageType,
        report:
          row.disposition === 'ERR'
            ? errReportInput({
                lang: this.context.lang,
                fileName: row.originalName,
                folderBase: folder.base,
                filedAs: target.rel,
                receivedAt: facts.receivedAt,
                messageId: row.messageId,
                messageType: facts.messageType,
                invoiceIdentifier: facts.messageKey,
                sha256: row.sha256,
                size: row.size,
                findings,
              })
            : null,
        skipMove,
      });
    }
    const moved = this.filer.fileAll(
      pending.filter((p) => !p.skipMove),
      'mid-recovery',
    );
    this.settle([...moved, ...pending.filter((p) => p.skipMove)]);
    return pending.length;
  }

  /**
   * The record transaction: every file of the batch recorded, or none; it also settles the
   * previous batch (filed and fsynced by now), so each batch costs one commit.
   */
  private record(inspected: readonly Inspected[]): Pending[] {
    const settled: Array<{ change: StateChange; file: string }> = [];
    const duplicates: Array<{ holderId: number; name: string; key: string }> = [];
    const reserved = new Set<string>();
    const carried = this.unsettled;
    const pending = this.store.db.transaction(() => {
      this.settleRows(carried, settled);
      return inspected.map((item): Pending => {
        const { file, report, sha256, size } = item;
        const decision = decideIntake(file.folder, report, sha256, this.context);
        const at = this.now();
        if (decision.kind === 'duplicate') {
          this.events.append(decision.holder.id, 'duplicate', { detail: `${file.folder.base}/SRC/${file.originalName}` });
          duplicates.push({ holderId: decision.holder.id, name: file.originalName, key: decision.messageKey });
          const holder = { messageId: decision.holder.id, messageKey: decision.messageKey, messageType: file.folder.type };
          return this.planFiling(item, holder, 'duplicate', null, at, reserved, null);
        }

        const fields = report.fields;
        const valid = decision.kind === 'new';
        const errors = decision.kind === 'invalid' ? decision.errors : [];
        const warnings = [...report.warnings, ...decision.warnings];
        const messageType = report.messageType ?? file.folder.type;
        const first = errors[0];
        const supersedes = decision.kind === 'new' ? decision.supersedes : null;
        // The version it corrects gives its key up first (the key has one holder).
        if (decision.kind === 'new' && decision.takesKey) this.transitions.yieldKey(decision.supersedes!.id);
        const change = this.transitions.receive(
          {
            messageType,
            category: report.category ?? file.folder.category,
            messageKey: decision.messageKey,
            holdsKey: valid,
            invoiceNumber: fields?.number ?? report.key?.number ?? null,
            invoiceDate: fields?.date ?? report.key?.date ?? null,
            actionDate: fields?.actionDate ?? null,
            sellerId: fields?.sellerId ?? null,
            sellerName: fields?.sellerName ?? null,
            buyerId: fields?.buyerId ?? null,
            buyerName: fields?.buyerName ?? null,
            totalAmount: fields?.totalAmount ?? null,
            taxAmount: fields?.taxAmount ?? null,
            sha256,
            size,
            sourceName: file.originalName,
            errorCode: first?.code ?? null,
            errorText: first?.message ?? null,
            findingsJson: errors.length > 0 || warnings.length > 0 ? JSON.stringify({ errors, warnings }) : null,
            bytesKept: valid,
            supersedes: supersedes?.id ?? null,
            uploadDeadline: valid && fields && this.uploadDeadline ? this.uploadDeadline(messageType, fields) : null,
          },
          supersedes ? `supersedes message #${supersedes.id} (${supersedes.state})` : null,
        );
        if (valid && item.bytes) this.bytes.keep(change.messageId, sha256, item.bytes);
        if (valid && fields && fields.references.length > 0) this.ledger.record(change.messageId, fields.references);
        if (valid && fields && messageType === 'E0401') this.recordAllotments(change.messageId, decision.messageKey, fields, supersedes);
        if (supersedes) {
          this.events.append(supersedes.id, 'superseded', {
            detail: `by message #${change.messageId} from ${file.folder.base}/SRC/${file.originalName}`,
          });
          this.events.append(change.messageId, 'supersedes', { detail: `message #${supersedes.id} (${supersedes.state})` });
        }
        if (decision.kind === 'invalid' && decision.conflictWith) {
          this.events.append(decision.conflictWith.id, 'duplicate-conflict', {
            code: 'duplicate-conflict',
            detail: `message #${change.messageId} from ${file.folder.base}/SRC/${file.originalName} has this key with other content`,
          });
        }
        const message = { messageId: change.messageId, messageKey: decision.messageKey, messageType };
        const errReport = (filedAs: string): ErrReportInput =>
          errReportInput({
            lang: this.context.lang,
            fileName: file.originalName,
            folderBase: file.folder.base,
            filedAs,
            receivedAt: change.at,
            messageId: change.messageId,
            messageType,
            invoiceIdentifier: decision.messageKey,
            sha256,
            size,
            findings: { errors, warnings },
          });
        return this.planFiling(item, message, valid ? 'new' : 'invalid', first?.code ?? null, at, reserved, valid ? null : errReport);
      });
    })();
    this.unsettled = [];
    this.countQueued(settled);
    for (const { change, file } of settled) this.logChange(change, file);
    if (carried.length > 0) failpoint('after-settle');
    for (const d of duplicates) {
      this.logger.info(
        { event: 'message-duplicate', messageId: d.holderId, messageKey: d.key, file: d.name },
        'the same message was dropped again; filed in BAK',
      );
    }
    return pending;
  }

  /**
   * A head office's E0401 gives numbers to a branch: known from the moment it is taken, so that the
   * branch's invoices are checked against them. A corrected version replaces the allotments of the
   * one it supersedes. (Overlaps were refused by the store rules.)
   */
  private recordAllotments(messageId: number, messageKey: string | null, fields: MessageFields, supersedes: KeyHolder | null): void {
    if (supersedes) this.tracks.forgetMessage(supersedes.id);
    const outcome = this.tracks.record(allotmentsOfE0401(fields), {
      source: 'E0401',
      sourceRef: messageKey ?? `message #${messageId}`,
      messageId,
    });
    // Only with tracks.check warn or off can an overlapping E0401 be taken: its allotments are then not known.
    for (const c of outcome.conflicts) {
      this.logger.warn(
        {
          event: 'allotment-not-recorded',
          messageId,
          messageKey,
          range: `${c.allocation.track}${c.allocation.begin}-${c.allocation.end}`,
          with: c.with.sourceRef,
        },
        'an E0401 allotment overlaps a recorded range and was not recorded',
      );
    }
  }

  /**
   * Picks the file's target (BAK for new and duplicate files, ERR for invalid ones), records its
   * journal row, and returns what filing and settling it need.
   */
  private planFiling(
    item: Inspected,
    message: { messageId: number; messageKey: string | null; messageType: string },
    outcome: IntakeOutcome,
    errorCode: string | null,
    at: number,
    reserved: Set<string>,
    errReport: ((filedAs: string) => ErrReportInput) | null,
  ): Pending {
    const { file, sha256, size } = item;
    const disposition: Disposition = outcome === 'invalid' ? 'ERR' : 'BAK';
    const target = this.filer.allocateTarget(file.folder, disposition, file.originalName, at, reserved);
    const journalId = this.journal.record({
      claimName: file.claimName,
      folderType: file.folder.type,
      originalName: file.originalName,
      sha256,
      size,
      outcome,
      disposition,
      targetPath: target.rel,
      messageId: message.messageId,
    });
    // Field by field: spreading `message` here made V8 build a dictionary-mode object, 3.7 KB per file.
    return {
      messageId: message.messageId,
      messageKey: message.messageKey,
      messageType: message.messageType,
      journalId,
      outcome,
      disposition,
      folder: file.folder,
      originalName: file.originalName,
      claimName: file.claimName,
      target,
      workPath: file.workPath,
      settleTo: settleStateOf(outcome),
      errorCode,
      report: errReport?.(target.rel) ?? null,
      skipMove: false,
    };
  }

  /** A settle transaction of its own: files marked filed and messages moved out of `received`, all or none. */
  private settle(filed: readonly Pending[]): void {
    if (filed.length === 0) return;
    const changes: Array<{ change: StateChange; file: string }> = [];
    this.store.db.transaction(() => this.settleRows(filed, changes))();
    this.countQueued(changes);
    for (const { change, file } of changes) this.logChange(change, file);
  }

  /** Settles filed files inside the caller's transaction: the batch's messages move together, grouped by outcome. */
  private settleRows(filed: readonly Pending[], changes: Array<{ change: StateChange; file: string }>): void {
    const groups = new Map<string, Pending[]>();
    for (const p of filed) {
      // Already filed: this is a repeat after a crash that happened after the commit.
      if (!this.journal.markFiled(p.journalId) || p.settleTo === null) continue;
      const key = `${p.settleTo}/${p.errorCode ?? ''}`;
      const group = groups.get(key);
      if (group) group.push(p);
      else groups.set(key, [p]);
    }
    for (const group of groups.values()) {
      const { settleTo, errorCode } = group[0]!;
      const moved = this.transitions.moveMany(
        group.map((p) => p.messageId),
        'received',
        settleTo!,
        settleTo === 'invalid' ? { code: errorCode } : {},
      );
      for (const p of group) {
        changes.push({
          change: {
            messageId: p.messageId,
            messageKey: p.messageKey,
            messageType: p.messageType,
            from: 'received',
            to: moved.to,
            at: moved.at,
            code: moved.code,
          },
          file: p.originalName,
        });
      }
    }
  }

  /** After a settle committed: how many messages it queued. */
  private countQueued(changes: ReadonlyArray<{ change: StateChange }>): void {
    for (const { change } of changes) if (change.to === 'queued') this.queuedTotal++;
  }

  private logChange(change: StateChange, file: string | null): void {
    logStateChange(this.logger, change, file);
  }
}

/** Where a file's message goes once the file is filed; a duplicate's message is another file's, already settled. */
function settleStateOf(outcome: IntakeOutcome): Pending['settleTo'] {
  return outcome === 'duplicate' ? null : outcome === 'new' ? 'queued' : 'invalid';
}
