import { readFileSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { failpoint } from '../failpoints/failpoints.js';
import '../outbound/outboundFailpoints.js';
import { classifyOutboxName, type OutboxFileKind } from '../outbound/names.js';
import type { OutboundQueries, PackMessageRef } from '../store/OutboundQueries.js';
import type { MessageVerdict, PackMove, PackTransitions } from '../store/PackTransitions.js';
import type { ReceivedFile, ReceivedFiles } from '../store/ReceivedFiles.js';
import type { PlatformFiles } from '../transport/PlatformFiles.js';
import type { Validator } from '../validation/Validator.js';
import { readElements } from '../validation/xml/elementReader.js';
import { readProcessResult, readSummaryResult, SUCCESS_CODE, type ProcessResultContent, type SummaryEntry } from './parseResult.js';
import type { ResultInbox } from './ResultInbox.js';

export interface ResultEvents {
  changes(changes: PackMove[]): void;
  /** Something the operator should know: an unknown pack, a conflicting copy, an invalid result. */
  problem(file: string, problem: string): void;
  received(file: string, kind: OutboxFileKind): void;
}

const KIND_ORDER: Partial<Record<OutboxFileKind, number>> = { ProcessResult: 0, SummaryResult: 1 };

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
    private readonly link: PlatformFiles,
    private readonly inbox: ResultInbox,
    private readonly received: ReceivedFiles,
    private readonly queries: OutboundQueries,
    private readonly packs: PackTransitions,
    private readonly validator: Validator,
    private readonly events: ResultEvents,
  ) {}

  /** One pass: receive what is in out/, then apply everything received and not yet applied. */
  async collect(): Promise<number> {
    const listed = await this.link.list('out');
    listed.sort((a, b) => (KIND_ORDER[classifyOutboxName(a.name)] ?? 2) - (KIND_ORDER[classifyOutboxName(b.name)] ?? 2) || a.name.localeCompare(b.name));
    let taken = 0;
    for (const file of listed) {
      if (file.size === 0) continue; // being written, or broken: look again next time
      const bytes = await this.link.download(`out/${file.name}`);
      if (bytes.length !== file.size) continue; // changed while listed: look again next time
      const kind = classifyOutboxName(file.name);
      const publication = this.inbox.publish(file.name, bytes);
      failpoint('after-result-download');
      if (publication.kind === 'conflict') {
        this.events.problem(file.name, `a second, different copy was kept as ${publication.conflictPath}; the first one stands`);
      }
      if (!this.received.find(file.name)) {
        this.received.record({ remoteName: file.name, kind, size: bytes.length, sha256: publication.sha256, localPath: publication.path });
        this.events.received(file.name, kind);
      }
      await this.link.remove(`out/${file.name}`);
      taken++;
    }
    this.applyPending();
    return taken;
  }

  /** Applies every received file not yet applied (also after a crash between receiving and applying). */
  applyPending(): void {
    for (const file of this.received.unapplied()) this.apply(file);
  }

  private apply(file: ReceivedFile): void {
    if (file.kind !== 'ProcessResult' && file.kind !== 'SummaryResult') {
      // Allocations (E0501) and other inbound files are kept for their own readers.
      const problem = file.kind === 'unknown' ? 'a file of unknown kind: kept, not applied' : null;
      this.db.transaction(() => this.received.markApplied(file.id, null, problem)).immediate();
      if (problem) this.events.problem(file.remoteName, problem);
      return;
    }
    const bytes = readFileSync(file.localPath);
    const report = this.validator.validate(bytes, { file: file.remoteName });
    if (!report.valid || report.messageType !== file.kind) {
      const why = `not a valid ${file.kind}: ${report.errors.map((e) => `${e.code}: ${e.message}`).join('; ').slice(0, 500)}`;
      this.markProblem(file, null, why);
      return;
    }
    const root = readElements(bytes.toString('utf8'));
    if (file.kind === 'ProcessResult') this.applyProcessResult(file, readProcessResult(root));
    else this.applySummaryResult(file, readSummaryResult(root).entries);
  }

  /**
   * A ProcessResult whose error names no invoice is about the whole pack (a broken signature is
   * E0004): it rejects every message. Otherwise it only explains the SummaryResult to come.
   */
  private applyProcessResult(file: ReceivedFile, result: ProcessResultContent): void {
    const pack = this.queries.packByCommonName(result.messageId);
    if (!pack) return this.markProblem(file, null, `a result for a pack this turnkey never sent (${result.messageId}): kept and reported`);
    const packError = result.infos.find((i) => i.code !== SUCCESS_CODE && !i.parameters.some((p) => /^[A-Z]{2}\d{8}$/.test(p)));
    if (!packError) {
      this.db.transaction(() => this.received.markApplied(file.id, pack.id)).immediate();
      return;
    }
    const verdicts = this.queries.messagesOf(pack.id).map((m) => ({
      messageId: m.messageId,
      verdict: 'rejected' as const,
      code: packError.code,
      text: packError.description ?? `the platform refused the whole pack (${packError.code})`,
    }));
    this.events.changes(this.packs.settle(pack.id, verdicts, () => this.received.markApplied(file.id, pack.id)));
    failpoint('after-result-apply');
  }

  private applySummaryResult(file: ReceivedFile, entries: SummaryEntry[]): void {
    const problems: string[] = [];
    const settled: Array<{ packId: number; verdicts: MessageVerdict[] }> = [];
    for (const entry of entries) {
      const pack = this.queries.packByCommonName(entry.messageId);
      if (!pack) {
        problems.push(`a result for a pack this turnkey never sent (${entry.messageId})`);
        continue;
      }
      const verdicts = this.verdictsFor(pack.id, entry, problems);
      if (verdicts) settled.push({ packId: pack.id, verdicts });
    }
    const problem = problems.length ? problems.join('; ') : null;
    const packId = settled.length === 1 ? settled[0]!.packId : null;
    const changes = this.db.transaction(() => {
      const all: PackMove[] = [];
      for (const { packId: id, verdicts } of settled) all.push(...this.packs.settle(id, verdicts, () => undefined));
      this.received.markApplied(file.id, packId, problem);
      return all;
    }).immediate();
    this.events.changes(changes);
    failpoint('after-result-apply');
    if (problem) this.events.problem(file.remoteName, problem);
  }

  private verdictsFor(packId: number, entry: SummaryEntry, problems: string[]): MessageVerdict[] | null {
    const messages = this.queries.messagesOf(packId);
    const reasons = this.failureReasons(packId);
    const rejected = (m: PackMessageRef): MessageVerdict => {
      const reason = m.invoiceNumber ? reasons.get(m.invoiceNumber) : undefined;
      return { messageId: m.messageId, verdict: 'rejected', code: reason?.code ?? 'platform-failed', text: reason?.text ?? 'listed as Failed by the platform\'s SummaryResult' };
    };
    const confirmed = (m: PackMessageRef): MessageVerdict => ({ messageId: m.messageId, verdict: 'confirmed', code: null, text: null });

    if (entry.good.invoices !== null || entry.failed.invoices !== null) {
      const good = new Set((entry.good.invoices ?? []).map((i) => i.number));
      const failed = new Set((entry.failed.invoices ?? []).map((i) => i.number));
      const verdicts: MessageVerdict[] = [];
      for (const m of messages) {
        if (m.invoiceNumber && failed.has(m.invoiceNumber)) verdicts.push(rejected(m));
        else if (m.invoiceNumber && good.has(m.invoiceNumber)) verdicts.push(confirmed(m));
        else if (entry.failed.invoices !== null && entry.failed.count === failed.size && entry.good.invoices === null) verdicts.push(confirmed(m));
        else if (entry.good.invoices !== null && entry.good.count === good.size && entry.failed.invoices === null) verdicts.push(rejected(m));
      }
      if (verdicts.length < messages.length) problems.push(`${entry.messageId}: ${messages.length - verdicts.length} message(s) not named in the SummaryResult; they stay as they are`);
      return verdicts;
    }
    if (entry.failed.count === 0) return messages.map(confirmed);
    if (entry.good.count === 0) return messages.map(rejected);
    problems.push(`${entry.messageId}: ${entry.good.count} good and ${entry.failed.count} failed without invoice lists: cannot tell which`);
    return null;
  }

  /** Per-invoice codes from the pack's ProcessResult, when it came (Parameter values name the invoice). */
  private failureReasons(packId: number): Map<string, { code: string; text: string }> {
    const reasons = new Map<string, { code: string; text: string }>();
    for (const file of this.received.ofPackAndKind(packId, 'ProcessResult')) {
      const result = readProcessResult(readElements(readFileSync(file.localPath, 'utf8')));
      for (const info of result.infos) {
        if (info.code === SUCCESS_CODE) continue;
        for (const p of info.parameters) if (/^[A-Z]{2}\d{8}$/.test(p)) reasons.set(p, { code: info.code, text: info.description ?? info.code });
      }
    }
    return reasons;
  }

  private markProblem(file: ReceivedFile, packId: number | null, problem: string): void {
    this.db.transaction(() => this.received.markApplied(file.id, packId, problem)).immediate();
    this.events.problem(file.remoteName, problem);
  }
}
