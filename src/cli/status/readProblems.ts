import type { Database } from 'better-sqlite3';
import { openProblems } from '../../store/Problems.js';
import type { Lang } from '../../validation/messages.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { fixFor } from './fixes.js';

/** A condition the operator should act on, with what to do: what `turnkey status` lists first. */
export interface StatusProblem {
  /** Stable: monitoring decides on it. */
  code: string;
  area: string;
  /** What it is about: a folder, a message group, a kind of refused file. */
  subject: string;
  detail: string;
  since: string;
  lastSeen: string;
  count: number;
  fix: string;
  /** `action`: an operator should act (it makes `turnkey status` exit 1); `info`: worth knowing. */
  severity: 'action' | 'info';
}

/** Files refused at intake in this window are shown as a problem, by code, with the fix. */
const REFUSED_WINDOW_MS = 24 * 3600_000;

/** Conditions of the store worth knowing that need no operator (yet): they do not make status exit 1. */
const INFO_CODES: ReadonlySet<string> = new Set(['blank-report-waiting']);

/** Open problems of the store, then the files refused in the last 24 hours, by code. */
export function readProblems(db: Database, now: number, lang: Lang = 'en'): StatusProblem[] {
  if ((db.pragma('user_version', { simple: true }) as number) < 5) return [];
  const problems: StatusProblem[] = openProblems(db).map((p) => ({
    code: p.code,
    area: p.area,
    subject: p.subject,
    detail: p.detail,
    since: toTaiwanIso(new Date(p.firstAt)),
    lastSeen: toTaiwanIso(new Date(p.lastAt)),
    count: p.count,
    fix: fixFor(p.code, lang),
    severity: INFO_CODES.has(p.code) ? ('info' as const) : ('action' as const),
  }));
  // The planner would walk every refusal ever (the state index); the partial index of migration 8 holds exactly these.
  const recentIndex = (db.pragma('user_version', { simple: true }) as number) >= 8 ? 'INDEXED BY messages_invalid_recent' : '';
  const refused = db
    .prepare(
      `
      SELECT error_code AS code, message_type AS type, count(*) AS n, min(received_at) AS first, max(received_at) AS last
        FROM messages ${recentIndex} WHERE state = 'invalid' AND received_at >= ? GROUP BY error_code, message_type ORDER BY last DESC`,
    )
    .all(now - REFUSED_WINDOW_MS) as Array<{ code: string | null; type: string; n: number; first: number; last: number }>;
  for (const r of refused) {
    const code = r.code ?? 'invalid';
    problems.push({
      code,
      area: 'intake',
      subject: `${r.type} files refused`,
      detail: `${r.n} ${r.type} file(s) refused as ${code} in the last 24 hours; each is in ERR with its report`,
      since: toTaiwanIso(new Date(r.first)),
      lastSeen: toTaiwanIso(new Date(r.last)),
      count: r.n,
      fix: fixFor(code, lang),
      // The files are in ERR with their reports: the ERP's to correct, not a condition of turnkey's.
      severity: 'info',
    });
  }
  return problems;
}
