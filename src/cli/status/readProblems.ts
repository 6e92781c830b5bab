import type { Database } from 'better-sqlite3';
import { openProblems } from '../../store/Problems.js';

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
}

/** Files refused at intake in this window are shown as a problem, by code, with the fix. */
const REFUSED_WINDOW_MS = 24 * 3600_000;

const FIXES: Record<string, string> = {
  'filing-failed':
    'Make the folder writable by the user running turnkey and check the free disk space; the files wait in WORK and are filed by ' +
    'themselves once it takes them.',
  'claim-refused':
    'Check the permissions of the SRC folder (the turnkey user must be able to move files out of it) and whether another program keeps ' +
    'the file open.',
  'folder-unusable':
    'Make UpCast/<CATEGORY>/<MIG>/ and its SRC, WORK, BAK and ERR folders folders the turnkey user can write (not files, not missing ' +
    'mounts).',
  'intake-failed': 'See the daemon log (event intake-error): usually the disk under the database is full or not writable.',
  'pack-failed': 'See the daemon log (event pack-failed): the outbox folder must be writable and the certificate usable.',
  'packs-without-sender':
    'Put the sender back in platform.senders (its BAN, certificate and transport account) and restart: its packs are then sent and their ' +
    'results collected.',
  'access-not-tightened':
    'The files and folders listed belong to another user or sit on a share that keeps no modes: give them to the user ' +
    'running turnkey (chown) and restart, or make them owner-only by hand. With the group setting, the user running ' +
    'turnkey must be a member of that group.',
  'downcast-failed':
    'Make the DownCast folder writable by the turnkey user and check the free disk space; the result files are written once it can.',
  'not-a-file':
    'Entries of SRC that are not regular files (links, FIFOs, folders) were moved to ERR with a report; have the ERP write the message ' +
    'files themselves.',
  unreadable: "Files the turnkey user could not read were moved to ERR with a report; fix the ERP's file permissions and drop them again.",
  'login-refused':
    "The platform refuses the transport account's login: check platform.transport (id and password) against the account the " +
    'platform gave you, and whether it was locked. Sending resumes by itself once a login works (tried every few minutes).',
  'host-key-changed':
    "The platform's SSH host key is not the one in platform.sftp.knownHostsFile: confirm the new key with the platform (never " +
    'accept it blindly), write it there and restart.',
  'certificate-not-registered':
    "The platform cannot verify this sender's signature (E0004): register the .cer of its .pfx on the platform, or configure the " +
    'certificate that is registered, and restart. Messages already refused with E0004 need sending again.',
  'certificate-expired': "Renew the sender's certificate, register the new .cer on the platform, configure the new .pfx and restart.",
  'certificate-expiring':
    'Renew the certificate before it expires and register the new .cer on the platform; then configure the new .pfx and restart.',
  'feed-unreadable':
    'Check the maintenance feed (its URL or file, and its format); the windows it gave before are kept until it reads again.',
  encoding: "Files that are not UTF-8 (UTF-16, UTF-32, Big5, NUL bytes) were refused; set the ERP's export to UTF-8 and drop them again.",
};

const DEFAULT_FIX = 'Read the reports beside the refused files in ERR (<name>.err.txt), correct the messages and drop them again.';

/** Open problems of the store, then the files refused in the last 24 hours, by code. */
export function readProblems(db: Database, now: number): StatusProblem[] {
  if ((db.pragma('user_version', { simple: true }) as number) < 5) return [];
  const problems: StatusProblem[] = openProblems(db).map((p) => ({
    code: p.code,
    area: p.area,
    subject: p.subject,
    detail: p.detail,
    since: new Date(p.firstAt).toISOString(),
    lastSeen: new Date(p.lastAt).toISOString(),
    count: p.count,
    fix: FIXES[p.code] ?? DEFAULT_FIX,
  }));
  const refused = db
    .prepare(
      `
      SELECT error_code AS code, message_type AS type, count(*) AS n, min(received_at) AS first, max(received_at) AS last
        FROM messages WHERE state = 'invalid' AND received_at >= ? GROUP BY error_code, message_type ORDER BY last DESC`,
    )
    .all(now - REFUSED_WINDOW_MS) as Array<{ code: string | null; type: string; n: number; first: number; last: number }>;
  for (const r of refused) {
    const code = r.code ?? 'invalid';
    problems.push({
      code,
      area: 'intake',
      subject: `${r.type} files refused`,
      detail: `${r.n} ${r.type} file(s) refused as ${code} in the last 24 hours; each is in ERR with its report`,
      since: new Date(r.first).toISOString(),
      lastSeen: new Date(r.last).toISOString(),
      count: r.n,
      fix: FIXES[code] ?? DEFAULT_FIX,
    });
  }
  return problems;
}

export function formatProblems(problems: readonly StatusProblem[]): string[] {
  const lines: string[] = [];
  for (const p of problems) {
    lines.push(`PROBLEM [${p.code}] ${p.subject}: ${p.detail}`);
    lines.push(`  fix: ${p.fix}`);
  }
  return lines;
}
