import { MESSAGE_STATES } from '../../store/states.js';
import type { Lang } from '../../validation/messages.js';
import { displayWidth, padEnd, padStart, paint, type Paint } from '../text.js';
import type { StatusReport } from './readStatus.js';

/** The words of the overview, in each language `turnkey status` speaks. */
const WORDS = {
  en: {
    healthy: 'turnkey: OK',
    unhealthy: (n: number) => `turnkey: ${n} problem(s) need action`,
    problem: 'PROBLEM',
    note: 'note',
    fix: 'fix',
    daemonRunning: (s: StatusReport['daemon']) =>
      `daemon: ${s.state} (pid ${s.pid} on ${s.hostname}, since ${s.startedAt}, heartbeat ${s.heartbeatAgeSeconds} s ago, version ` +
      `${s.version})`,
    daemonStopped: (s: StatusReport['daemon']) => `daemon: stopped (last pid ${s.pid}, stopped cleanly)`,
    daemonNever: 'daemon: never started on this store',
    daemonGone: (s: StatusReport['daemon']) => `daemon: NOT running - last state ${s.state}, pid ${s.pid}; ${s.note ?? ''}`,
    sendingNormal: 'sending: normal',
    sendingPaused: 'sending: PAUSED',
    window: (detail: string, until: string | null) => `maintenance window (${detail}) until ${until ?? 'the platform answers again'}`,
    resuming: (until: string | null) => `the window is over; sending resumes at ${until ?? 'once'}`,
    hold: (code: string, detail: string) => `held for the operator [${code}]: ${detail}`,
    breaker: (detail: string, until: string | null) => `the platform cannot be reached (last: ${detail}); next try ${until ?? 'soon'}`,
    backlog: (n: number) => `waiting to be sent: ${n}`,
    oldest: (age: string, what: string) => `, the oldest for ${age} (${what})`,
    activity: (a: number, f: number) => `last hour: ${a} attempt(s), ${f} failed`,
    lastUpload: 'last upload',
    lastConfirmation: 'last confirmation',
    none: 'none',
    deadlines: (n: number, h: number, late: number) =>
      `DEADLINE AT RISK: ${n} message(s) not yet uploaded are due within ${h} h (${late} late)`,
    certificate: (party: string, date: string, days: number) => `certificate of ${party}: valid until ${date} (${days} day(s) left)`,
    nextWindow: (from: string, to: string | null, reason: string) => `next maintenance window: ${from} → ${to ?? '?'} (${reason})`,
    tracks: (period: string, ranges: number, numbers: number, bans: string) =>
      `tracks of ${period}: ${ranges} range(s), ${numbers} number(s) for ${bans || 'no BAN'} (turnkey tracks)`,
    blank: (period: string, files: number, states: string) => `unused numbers of ${period} (E0402): ${files} file(s), ${states}`,
    packs: 'packs',
    type: 'type',
    total: 'total',
    store: 'store',
    platform: (mode: string, gateway: string, ca: string | null) =>
      `platform: ${mode}, gateway ${gateway}${ca ? ` (also trusting the CA in ${ca}: platform.gateway.caFile)` : ''}`,
  },
  'zh-TW': {
    healthy: 'turnkey：正常',
    unhealthy: (n: number) => `turnkey：有 ${n} 個問題需要處理`,
    problem: '問題',
    note: '注意',
    fix: '處理方式',
    daemonRunning: (s: StatusReport['daemon']) =>
      `服務：${s.state}（pid ${s.pid}，主機 ${s.hostname}，自 ${s.startedAt} 起，${s.heartbeatAgeSeconds} 秒前回報，版本 ${s.version}）`,
    daemonStopped: (s: StatusReport['daemon']) => `服務：已正常停止（最後 pid ${s.pid}）`,
    daemonNever: '服務：此資料庫尚未啟動過',
    daemonGone: (s: StatusReport['daemon']) => `服務：未執行 - 最後狀態 ${s.state}，pid ${s.pid}；${s.note ?? ''}`,
    sendingNormal: '傳送：正常',
    sendingPaused: '傳送：暫停',
    window: (detail: string, until: string | null) => `平台維護（${detail}），至 ${until ?? '平台恢復回應'}`,
    resuming: (until: string | null) => `維護已結束，將於 ${until ?? '即刻'} 恢復傳送`,
    hold: (code: string, detail: string) => `待人員處理 [${code}]：${detail}`,
    breaker: (detail: string, until: string | null) => `無法連上平台（最後：${detail}），下次嘗試 ${until ?? '稍後'}`,
    backlog: (n: number) => `等待傳送：${n}`,
    oldest: (age: string, what: string) => `，最久已等 ${age}（${what}）`,
    activity: (a: number, f: number) => `最近一小時：嘗試 ${a} 次，失敗 ${f} 次`,
    lastUpload: '最後上傳',
    lastConfirmation: '最後確認',
    none: '無',
    deadlines: (n: number, h: number, late: number) => `法定期限警示：${n} 筆尚未上傳的訊息將於 ${h} 小時內到期（已逾期 ${late} 筆）`,
    certificate: (party: string, date: string, days: number) => `${party} 的憑證：有效至 ${date}（剩 ${days} 天）`,
    nextWindow: (from: string, to: string | null, reason: string) => `下次平台維護：${from} → ${to ?? '?'}（${reason}）`,
    tracks: (period: string, ranges: number, numbers: number, bans: string) =>
      `第 ${period} 期字軌：${ranges} 個區間，共 ${numbers} 號（${bans || '無統編'}）（turnkey tracks）`,
    blank: (period: string, files: number, states: string) => `第 ${period} 期空白未使用字軌（E0402）：${files} 個檔案，${states}`,
    packs: '封包',
    type: '類別',
    total: '合計',
    store: '資料庫',
    platform: (mode: string, gateway: string, ca: string | null) =>
      `平台：${mode}，閘道 ${gateway}${ca ? `（另信任 ${ca} 的憑證機構：platform.gateway.caFile）` : ''}`,
  },
} satisfies Record<Lang, unknown>;

/** The overview as a person reads it: problems first, each with what to do; colour only on a terminal. */
export function formatStatus(report: StatusReport, lang: Lang, colour: boolean): string {
  const w = WORDS[lang];
  const c: Paint = paint(colour);
  const lines: string[] = [];
  const actions = report.problems.filter((p) => p.severity === 'action');
  lines.push(report.healthy ? c.green(w.healthy) : c.red(w.unhealthy(actions.length)));
  for (const p of report.problems) {
    const label = p.severity === 'action' ? c.red(w.problem) : c.yellow(w.note);
    lines.push(`${label} [${p.code}] ${p.subject}: ${p.detail}`);
    lines.push(`  ${w.fix}: ${p.fix}`);
  }
  lines.push('');
  const d = report.daemon;
  lines.push(
    d.state === null ? w.daemonNever : d.running ? w.daemonRunning(d) : d.state === 'stopped' ? w.daemonStopped(d) : w.daemonGone(d),
  );
  if (report.paused) {
    if (!report.paused.paused) lines.push(w.sendingNormal);
    else {
      lines.push(c.yellow(w.sendingPaused));
      for (const r of report.paused.reasons) {
        const text =
          r.kind === 'window'
            ? r.code === 'resuming'
              ? w.resuming(r.until)
              : w.window(r.detail, r.until)
            : r.kind === 'hold'
              ? w.hold(r.code, r.detail)
              : w.breaker(r.detail, r.until);
        lines.push(`  - ${text}`);
      }
    }
  }
  const oldest = report.backlog.oldest;
  lines.push(
    w.backlog(report.backlog.waiting) +
      (oldest ? w.oldest(duration(oldest.ageSeconds, lang), `${oldest.messageType} ${oldest.number ?? `#${oldest.messageId}`}`) : ''),
  );
  if (report.activity) {
    const a = report.activity;
    lines.push(
      `${w.activity(a.lastHour.attempts, a.lastHour.failures)}; ${w.lastUpload} ${a.lastUpload ?? w.none}; ` +
        `${w.lastConfirmation} ${a.lastConfirmation ?? w.none}`,
    );
  }
  if (report.deadlines && report.deadlines.atRisk > 0) {
    const dl = report.deadlines;
    lines.push(c.red(w.deadlines(dl.atRisk, dl.atRiskHours, dl.overdue)));
  }
  for (const cert of report.certificates) {
    const line = w.certificate(cert.partyId, cert.notAfter, cert.daysLeft);
    lines.push(cert.daysLeft <= 30 ? c.yellow(line) : line);
  }
  if (report.nextWindow) lines.push(w.nextWindow(report.nextWindow.from, report.nextWindow.to, report.nextWindow.reason));
  if (report.tracks && report.tracks.current.ranges > 0) {
    const t = report.tracks.current;
    lines.push(w.tracks(t.period, t.ranges, t.numbers, t.bans.join(', ')));
  }
  if (report.tracks && report.tracks.previous.blankReports.length > 0) {
    const p = report.tracks.previous;
    lines.push(w.blank(p.period, p.blankReports.length, [...new Set(p.blankReports.map((r) => r.state))].join(', ')));
  }
  if (report.outbound) {
    const packs = Object.entries(report.outbound.packsByState)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ');
    lines.push(`${w.packs}: ${packs || w.none}`);
  }
  lines.push('');
  lines.push(...countsTable(report, w.type, w.total));
  lines.push('');
  if (report.platform) lines.push(w.platform(report.platform.mode, report.platform.gateway, report.platform.extraCaFile));
  lines.push(`${w.store}: ${report.database}`);
  return `${lines.join('\n')}\n`;
}

/** Messages per type and state, aligned by display width (a Windows console shows CJK two columns wide). */
function countsTable(report: StatusReport, typeLabel: string, totalLabel: string): string[] {
  const types = Object.keys(report.counts.byType).sort();
  const states = MESSAGE_STATES.filter((s) => report.counts.byState[s] > 0 || s === 'queued' || s === 'invalid');
  const header = [typeLabel, ...states];
  const rows = types.map((t) => [t, ...states.map((s) => String(report.counts.byType[t]?.[s] ?? 0))]);
  rows.push([totalLabel, ...states.map((s) => String(report.counts.byState[s]))]);
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]!))));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === 0 ? padEnd(cell, widths[i]!) : padStart(cell, widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

function duration(seconds: number, lang: Lang): string {
  const [value, unit] =
    seconds < 120
      ? [seconds, 's']
      : seconds < 7200
        ? [Math.round(seconds / 60), 'min']
        : seconds < 172_800
          ? [Math.round(seconds / 3600), 'h']
          : [Math.round(seconds / 86_400), 'd'];
  if (lang === 'en') return `${value} ${unit}`;
  return `${value} ${{ s: '秒', min: '分鐘', h: '小時', d: '天' }[unit]}`;
}
