import type { TurnkeyConfig } from '../../config/types.js';
import { UsageError } from '../../errors/index.js';
import { MessageHistoryReader, type MessageHistory } from '../../store/MessageHistory.js';
import { Store } from '../../store/Store.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import type { Lang } from '../../validation/messages.js';

/** `turnkey status <key>` as JSON: every message the key names, each with its whole history; times in Taiwan time. */
export interface MessageView {
  query: string;
  /** How the key was read: an invoice (or allowance) number, an INVOICE_IDENTIFIER, a pack's common name, a file name. */
  kind: 'number' | 'identifier' | 'pack' | 'file';
  messages: Array<ReturnType<typeof viewOf>>;
}

export function readMessageView(config: TurnkeyConfig, key: string): MessageView {
  const store = Store.openReadOnly(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    const reader = new MessageHistoryReader(store.db);
    const query = MessageHistoryReader.classify(key);
    const ids = reader.find(query);
    if (ids.length === 0) {
      throw new UsageError(`no message, pack or file named ${key} is in the store`, {
        hint:
          'Give an invoice or allowance number (AB12345678), an INVOICE_IDENTIFIER (F0401AB1234567820261205), a pack name, or a file ' +
          'name.',
      });
    }
    return { query: key, kind: query.kind, messages: ids.map((id) => viewOf(reader.read(id)!)) };
  } finally {
    store.close();
  }
}

const time = (at: number | null): string | null => (at === null ? null : toTaiwanIso(new Date(at)));

function viewOf(m: MessageHistory) {
  return {
    ...m,
    receivedAt: time(m.receivedAt),
    finalAt: time(m.finalAt),
    uploadDeadline: time(m.uploadDeadline),
    acknowledgedAt: time(m.acknowledgedAt),
    events: m.events.map((e) => ({ ...e, at: time(e.at) })),
    packs: m.packs.map((p) => ({
      ...p,
      createdAt: time(p.createdAt),
      attempts: p.attempts.map((a) => ({ ...a, startedAt: time(a.startedAt), endedAt: time(a.endedAt) })),
      results: p.results.map((r) => ({ ...r, receivedAt: time(r.receivedAt), appliedAt: time(r.appliedAt) })),
    })),
  };
}

const WORDS = {
  en: {
    message: 'message',
    state: 'state',
    verdict: 'platform',
    none: 'none yet',
    received: 'received',
    deadline: 'upload deadline',
    acknowledged: 'acknowledged',
    corrects: 'corrects message',
    correctedBy: 'corrected by message',
    files: 'files',
    source: 'dropped as',
    filed: 'filed as',
    report: 'report',
    downCast: 'result for the ERP',
    history: 'history',
    pack: 'pack',
    attempt: 'attempt',
    result: 'result',
  },
  'zh-TW': {
    message: '訊息',
    state: '狀態',
    verdict: '平台結果',
    none: '尚無',
    received: '收到',
    deadline: '上傳期限',
    acknowledged: '已確認',
    corrects: '更正訊息',
    correctedBy: '已由訊息更正',
    files: '檔案',
    source: '原檔名',
    filed: '歸檔於',
    report: '錯誤報告',
    downCast: 'ERP 結果檔',
    history: '歷程',
    pack: '封包',
    attempt: '嘗試',
    result: '結果檔',
  },
} satisfies Record<Lang, unknown>;

export function formatMessageView(view: MessageView, lang: Lang): string {
  const w = WORDS[lang];
  const lines: string[] = [];
  for (const m of view.messages) {
    lines.push(`${w.message} #${m.id} ${m.messageType} ${m.number ?? ''} ${m.date ?? ''} (${m.invoiceIdentifier ?? m.uuid})`);
    lines.push(`  ${w.state}: ${m.state} (${m.turnkeyStatus})${m.errorCode ? ` [${m.errorCode}] ${m.errorText ?? ''}` : ''}`);
    const verdict = m.state === 'confirmed' ? 'C' : m.state === 'rejected' ? `E ${m.errorCode ?? ''}` : w.none;
    lines.push(`  ${w.verdict}: ${verdict}`);
    lines.push(`  ${w.received}: ${m.receivedAt}${m.uploadDeadline ? `; ${w.deadline}: ${m.uploadDeadline}` : ''}`);
    if (m.acknowledgedAt) lines.push(`  ${w.acknowledged}: ${m.acknowledgedAt}`);
    if (m.supersedes !== null) lines.push(`  ${w.corrects} #${m.supersedes}`);
    if (m.supersededBy !== null) lines.push(`  ${w.correctedBy} #${m.supersededBy}`);
    lines.push(`  ${w.files}: ${w.source} ${m.sourceName}`);
    if (m.files.filedAs) lines.push(`    ${w.filed} ${m.files.filedAs}`);
    if (m.files.errReport) lines.push(`    ${w.report} ${m.files.errReport}`);
    if (m.files.downCast) lines.push(`    ${w.downCast} ${m.files.downCast}`);
    lines.push(`  ${w.history}:`);
    for (const e of m.events) {
      const move = e.kind === 'state' ? `${e.from ?? '-'} → ${e.to}` : e.kind;
      lines.push(`    ${e.at}  ${move}${e.code ? ` [${e.code}]` : ''}${e.detail ? `  ${e.detail}` : ''}`);
    }
    for (const p of m.packs) {
      lines.push(`  ${w.pack} ${p.commonName} (${p.state}), ${p.payloadPath}`);
      for (const a of p.attempts) {
        const outcome = `${a.outcome ?? '…'}${a.errorCode ? ` [${a.errorCode}]` : ''}${a.detail ? ` ${a.detail}` : ''}`;
        lines.push(`    ${w.attempt} ${a.stage} ${a.startedAt}: ${outcome}`);
      }
      for (const r of p.results)
        lines.push(`    ${w.result} ${r.name} ${r.receivedAt}${r.problem ? ` (${r.problem})` : ''}: ${r.localPath}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
