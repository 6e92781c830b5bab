import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { ConfigError } from '../errors/index.js';
import { outboundMessages } from '../mig/catalog.js';
import { mkdirDurably } from './fsyncDir.js';

/**
 * Who may read the data root. Everything under it holds invoices (the database keeps every
 * message's bytes, buyers and amounts) or secrets, so it is the daemon's user's alone: folders
 * 0700, files 0600, whatever the umask. An ERP running under another account gets exactly what it
 * needs through one group (the `group` setting): it may drop files into SRC and read BAK, ERR (the
 * reports) and DownCast (the verdicts); the database, WORK, the outbox, the inbox and the secrets
 * stay the daemon's user's alone.
 *
 * POSIX only: on Windows, modes mean nothing; access is given with NTFS permissions (README).
 */

export interface AccessGroup {
  name: string;
  gid: number;
}

/** The umask for everything the process creates: owner only, or owner + group read when a group shares folders. */
export function restrictUmask(group: AccessGroup | null): void {
  // A worker thread may not change the process's umask (the explicit modes of secureDataRoot still apply).
  if (process.platform === 'win32' || !isMainThread) return;
  process.umask(group ? 0o027 : 0o077);
}

/** The `group` setting as a group id: a number, or a name looked up in /etc/group. */
export function resolveAccessGroup(setting: string | null, groupFile = '/etc/group'): AccessGroup | null {
  if (setting === null || process.platform === 'win32') return null;
  if (/^[0-9]+$/.test(setting)) return { name: setting, gid: Number(setting) };
  let text = '';
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    // no group file: the name cannot be found
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === setting && gid !== undefined && /^[0-9]+$/.test(gid)) return { name, gid: Number(gid) };
  }
  throw new ConfigError(`group: there is no group named "${setting}" on this machine`, {
    hint: "Create the group (groupadd), add the ERP's account and the user running turnkey to it, or give its numeric id.",
  });
}

/** A folder's mode: owner only, or shared with the group (setgid, so files made inside keep the group). */
const OWNER_DIR = 0o700;
const OWNER_FILE = 0o600;
const GROUP_READS = 0o2750;
const GROUP_WRITES = 0o2770;
/** The data root itself: the group may pass through it to the folders it shares, not list it. */
const GROUP_PASSES = 0o710;

export interface DataRootPaths {
  dataRoot: string;
  configFile: string;
  database: string;
}

export interface AccessOutcome {
  /** Paths whose mode (or group) was changed. */
  changed: string[];
  /** Paths that could not be changed (owned by another user, a share that keeps no modes), and why. */
  failed: Array<{ path: string; code: string }>;
}

/**
 * Tightens what exists under the data root to the modes above (at `turnkey init` and at every
 * start, so a data root made by an older version or copied with other modes is closed too), and
 * makes the DownCast folders of every message type now, so that a shared group owns them from the
 * start. Never throws: what cannot be changed is returned, for the log and `turnkey status`.
 */
export function secureDataRoot(paths: DataRootPaths, group: AccessGroup | null): AccessOutcome {
  const outcome: AccessOutcome = { changed: [], failed: [] };
  if (process.platform === 'win32') return outcome;
  const attempt = (path: string, change: () => void): void => {
    try {
      change();
    } catch (err) {
      outcome.failed.push({ path, code: (err as NodeJS.ErrnoException).code ?? 'error' });
    }
  };
  const set = (path: string, mode: number, shared: boolean): void => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      return; // not there (yet)
    }
    if (shared && group && stats.gid !== group.gid) attempt(path, () => chownSync(path, -1, group.gid));
    if ((stats.mode & 0o7777) !== mode) {
      attempt(path, () => {
        chmodSync(path, mode);
        outcome.changed.push(path);
      });
    }
  };
  const dir = (path: string, sharedMode: number | null): void =>
    set(path, group && sharedMode !== null ? sharedMode : OWNER_DIR, sharedMode !== null);
  const { dataRoot } = paths;

  dir(dataRoot, GROUP_PASSES);
  set(paths.configFile, OWNER_FILE, false);
  for (const suffix of ['', '-wal', '-shm', '-journal']) set(`${paths.database}${suffix}`, OWNER_FILE, false);
  for (const name of ['outbox', 'inbox', 'secrets', 'sim', 'platform']) dir(join(dataRoot, name), null);
  for (const secret of files(join(dataRoot, 'secrets'))) set(secret, OWNER_FILE, false);

  const upCast = join(dataRoot, 'UpCast');
  dir(upCast, GROUP_READS);
  for (const spec of outboundMessages()) {
    if (spec.category === null) continue;
    const category = join(upCast, spec.category);
    const base = join(category, spec.type);
    if (!existsSync(base)) continue;
    dir(category, GROUP_READS);
    dir(base, GROUP_READS);
    dir(join(base, 'SRC'), GROUP_WRITES);
    dir(join(base, 'WORK'), null);
    for (const filed of ['BAK', 'ERR']) {
      dir(join(base, filed), GROUP_READS);
      for (const day of subfolders(join(base, filed))) dir(day, GROUP_READS);
    }
  }
  const downCast = join(dataRoot, 'DownCast');
  for (const spec of outboundMessages())
    if (spec.category) attempt(downCast, () => mkdirDurably(join(downCast, spec.category!, spec.type)));
  dir(downCast, GROUP_READS);
  for (const folder of subfolders(downCast, 3)) dir(folder, GROUP_READS);
  return outcome;
}

/** Regular files directly in `folder`. */
function files(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(folder, e.name));
  } catch {
    return [];
  }
}

/** Folders under `root`, down to `depth` levels (DownCast/<CATEGORY>/<MIG>/<day>). */
function subfolders(root: string, depth = 1): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const path = join(root, entry.name);
    out.push(path);
    if (depth > 1) out.push(...subfolders(path, depth - 1));
  }
  return out;
}
