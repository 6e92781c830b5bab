import { createHash, randomUUID, type Hash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import ssh2, { type Attributes, type FileEntry, type SFTPWrapper } from 'ssh2';
import type { FaultPlan } from '../faults/FaultPlan.js';
import type { SimDatabase } from '../record/SimDatabase.js';
import type { SimEvents } from '../SimEvents.js';
import type { SimLogger } from '../SimLogger.js';
import type { SimLayout } from '../storage/SimLayout.js';
import { resolveSftpPath, type SftpArea, type SftpTarget } from './sftpPaths.js';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;
const MAX_READ = 256 * 1024;
const NAMES_PER_REPLY = 100;

type Handle =
  /** `hash` follows the bytes while they arrive in order (`hashed` bytes so far); null once they do not. */
  | { kind: 'upload'; fd: number; temp: string; name: string; cut: boolean; hash: Hash | null; hashed: number }
  | { kind: 'read'; fd: number }
  | { kind: 'dir'; entries: FileEntry[]; offset: number };

export interface SftpSessionDeps {
  layout: SimLayout;
  db: SimDatabase;
  faults: FaultPlan;
  events: SimEvents;
  logger: SimLogger;
  /** Each request is handled this much later (a simulated link's round trip); in order, as they came. */
  latencyMs?: number;
}

/**
 * One SFTP subsystem of one logged-in account: a chroot-like view with `in/` (upload only) and
 * `out/` (list, read, delete). An upload is written under a private name and appears in `in/`
 * only when the client closes the handle; a session that ends first leaves nothing behind.
 */
export class SftpSession {
  private readonly handles = new Map<number, Handle>();
  private nextHandle = 1;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly account: string,
    private readonly deps: SftpSessionDeps,
    /** Drops the whole SSH connection (the `sftpUploadCut` fault). */
    private readonly dropConnection: () => void,
  ) {
    sftp.on('OPEN', (id, path, flags) => this.guard(id, () => this.open(id, path, flags)));
    sftp.on('WRITE', (id, handle, offset, data) => this.guard(id, () => this.write(id, handle, offset, data)));
    sftp.on('READ', (id, handle, offset, length) => this.guard(id, () => this.read(id, handle, offset, length)));
    sftp.on('FSTAT', (id, handle) => this.guard(id, () => this.fstat(id, handle)));
    sftp.on('FSETSTAT', (id, handle) => this.guard(id, () => this.reply(id, this.handle(handle) ? STATUS_CODE.OK : STATUS_CODE.FAILURE)));
    sftp.on('CLOSE', (id, handle) => this.guard(id, () => this.close(id, handle)));
    sftp.on('OPENDIR', (id, path) => this.guard(id, () => this.openDir(id, path)));
    sftp.on('READDIR', (id, handle) => this.guard(id, () => this.readDir(id, handle)));
    sftp.on('STAT', (id, path) => this.guard(id, () => this.stat(id, path)));
    sftp.on('LSTAT', (id, path) => this.guard(id, () => this.stat(id, path)));
    sftp.on('SETSTAT', (id, path) => this.guard(id, () => this.setStat(id, path)));
    sftp.on('REMOVE', (id, path) => this.guard(id, () => this.remove(id, path)));
    sftp.on('REALPATH', (id, path) => this.guard(id, () => this.realPath(id, path)));
    for (const refused of ['RENAME', 'MKDIR', 'RMDIR', 'SYMLINK', 'READLINK']) {
      sftp.on(refused, (id: number) => this.reply(id, STATUS_CODE.PERMISSION_DENIED, `${refused.toLowerCase()} is not allowed here`));
    }
    sftp.on('EXTENDED', (id: number) => this.reply(id, STATUS_CODE.OP_UNSUPPORTED));
    sftp.on('close', () => this.release());
    sftp.on('end', () => this.release());
  }

  /** Closes every open file; unfinished uploads are deleted, never published. */
  release(): void {
    for (const [id, handle] of this.handles) {
      this.handles.delete(id);
      if (handle.kind === 'dir') continue;
      try {
        closeSync(handle.fd);
      } catch {
        // already closed
      }
      if (handle.kind === 'upload') rmSync(handle.temp, { force: true });
    }
  }

  private open(id: number, path: string, flags: number): void {
    const target = resolveSftpPath(path);
    const writing = (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND | OPEN_MODE.CREAT | OPEN_MODE.TRUNC)) !== 0;
    if (target.kind === 'outside') return this.reply(id, STATUS_CODE.PERMISSION_DENIED, target.reason);
    if (target.kind !== 'file') return this.reply(id, STATUS_CODE.FAILURE, `${target.path} is a folder`);
    if (writing) {
      if (target.area !== 'in') return this.reply(id, STATUS_CODE.PERMISSION_DENIED, 'uploads go to in/ only');
      if (flags & OPEN_MODE.READ) return this.reply(id, STATUS_CODE.PERMISSION_DENIED, 'in/ is upload-only: files there cannot be read');
      const temp = join(this.deps.layout.uploadingDir(this.account), randomUUID());
      const fd = openSync(temp, 'w', 0o600);
      const cut = this.deps.faults.draw('sftpUploadCut');
      return this.sendHandle(id, { kind: 'upload', fd, temp, name: target.name, cut, hash: createHash('sha256'), hashed: 0 });
    }
    if (target.area === 'in') return this.reply(id, STATUS_CODE.PERMISSION_DENIED, 'in/ is upload-only: files there cannot be read');
    const file = this.areaPath(target.area, target.name);
    if (!isFile(file)) return this.reply(id, STATUS_CODE.NO_SUCH_FILE, `${target.path} does not exist`);
    this.sendHandle(id, { kind: 'read', fd: openSync(file, 'r') });
  }

  private write(id: number, handleBytes: Buffer, offset: number, data: Buffer): void {
    const handle = this.handle(handleBytes);
    if (handle?.kind !== 'upload') return this.reply(id, STATUS_CODE.FAILURE, 'not a file open for upload');
    let written = 0;
    while (written < data.length) written += writeSync(handle.fd, data, written, data.length - written, offset + written);
    if (handle.hash && offset === handle.hashed) {
      handle.hash.update(data);
      handle.hashed += data.length;
    } else {
      handle.hash = null;
    }
    if (handle.cut) {
      // The fault: the line drops after the first piece arrived; the partial file is never published.
      this.deps.db.recordFault('sftpUploadCut', handle.name);
      this.deps.events.emit('fault', { fault: 'sftpUploadCut', detail: handle.name });
      this.deps.logger.warn({ account: this.account, name: handle.name }, 'fault: upload cut mid-file');
      this.release();
      this.dropConnection();
      return;
    }
    this.reply(id, STATUS_CODE.OK);
  }

  private read(id: number, handleBytes: Buffer, offset: number, length: number): void {
    const handle = this.handle(handleBytes);
    if (handle?.kind !== 'read') return this.reply(id, STATUS_CODE.FAILURE, 'not a file open for reading');
    const buffer = Buffer.allocUnsafe(Math.min(length, MAX_READ));
    const n = readSync(handle.fd, buffer, 0, buffer.length, offset);
    if (n === 0) return this.reply(id, STATUS_CODE.EOF);
    this.sftp.data(id, buffer.subarray(0, n));
  }

  private fstat(id: number, handleBytes: Buffer): void {
    const handle = this.handle(handleBytes);
    if (!handle || handle.kind === 'dir') return this.reply(id, STATUS_CODE.FAILURE, 'not an open file');
    this.sftp.attrs(id, fileAttributes(fstatSync(handle.fd)));
  }

  private close(id: number, handleBytes: Buffer): void {
    const handleId = handleBytes.length === 4 ? handleBytes.readUInt32BE(0) : -1;
    const handle = this.handles.get(handleId);
    if (!handle) return this.reply(id, STATUS_CODE.FAILURE, 'no such handle');
    this.handles.delete(handleId);
    if (handle.kind === 'dir') return this.reply(id, STATUS_CODE.OK);
    if (handle.kind === 'read') {
      closeSync(handle.fd);
      return this.reply(id, STATUS_CODE.OK);
    }
    // The upload is complete: make it durable, then publish it under its name in one rename.
    fsyncSync(handle.fd);
    const size = fstatSync(handle.fd).size;
    closeSync(handle.fd);
    const target = this.areaPath('in', handle.name);
    renameSync(handle.temp, target);
    const sha256 =
      handle.hash && handle.hashed === size ? handle.hash.digest('hex') : createHash('sha256').update(readFileSync(target)).digest('hex');
    this.deps.db.recordReceivedFile(this.account, handle.name, size, sha256);
    this.deps.events.emit('upload', { account: this.account, name: handle.name, size });
    this.deps.logger.info({ account: this.account, name: handle.name, size }, 'upload received');
    this.reply(id, STATUS_CODE.OK);
  }

  private openDir(id: number, path: string): void {
    const target = resolveSftpPath(path);
    if (target.kind === 'outside') return this.reply(id, STATUS_CODE.PERMISSION_DENIED, target.reason);
    if (target.kind === 'file') return this.reply(id, STATUS_CODE.FAILURE, `${target.path} is not a folder`);
    if (target.kind === 'area' && target.area === 'in') {
      return this.reply(id, STATUS_CODE.PERMISSION_DENIED, 'in/ is upload-only: it cannot be listed');
    }
    const entries =
      target.kind === 'root' ? (['in', 'out'] as const).map((area) => entry(area, statSync(this.areaDir(area)))) : this.listOut();
    this.sendHandle(id, { kind: 'dir', entries, offset: 0 });
  }

  private listOut(): FileEntry[] {
    const dir = this.areaDir('out');
    const entries: FileEntry[] = [];
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      try {
        const stats = statSync(join(dir, name));
        if (stats.isFile()) entries.push(entry(name, stats));
      } catch {
        // deleted while listing
      }
    }
    return entries;
  }

  private readDir(id: number, handleBytes: Buffer): void {
    const handle = this.handle(handleBytes);
    if (handle?.kind !== 'dir') return this.reply(id, STATUS_CODE.FAILURE, 'not an open folder');
    if (handle.offset >= handle.entries.length) return this.reply(id, STATUS_CODE.EOF);
    const batch = handle.entries.slice(handle.offset, handle.offset + NAMES_PER_REPLY);
    handle.offset += batch.length;
    this.sftp.name(id, batch);
  }

  private stat(id: number, path: string): void {
    const target = resolveSftpPath(path);
    const found = this.statTarget(target);
    if (!found) return this.reply(id, STATUS_CODE.NO_SUCH_FILE, `${target.path} does not exist`);
    this.sftp.attrs(id, fileAttributes(found));
  }

  private setStat(id: number, path: string): void {
    // Modes and times are the platform's business; accepted and ignored, as on most SFTP servers.
    const found = this.statTarget(resolveSftpPath(path));
    this.reply(id, found ? STATUS_CODE.OK : STATUS_CODE.NO_SUCH_FILE);
  }

  private remove(id: number, path: string): void {
    const target = resolveSftpPath(path);
    if (target.kind === 'outside') return this.reply(id, STATUS_CODE.PERMISSION_DENIED, target.reason);
    if (target.kind !== 'file') return this.reply(id, STATUS_CODE.PERMISSION_DENIED, 'folders cannot be removed');
    if (target.area !== 'out') return this.reply(id, STATUS_CODE.PERMISSION_DENIED, 'only files in out/ can be deleted');
    try {
      unlinkSync(this.areaPath('out', target.name));
    } catch {
      return this.reply(id, STATUS_CODE.NO_SUCH_FILE, `${target.path} does not exist`);
    }
    this.reply(id, STATUS_CODE.OK);
  }

  private realPath(id: number, path: string): void {
    const target = resolveSftpPath(path);
    // Whatever lies outside the view is shown as the root, never as a real path of the host.
    const shown = target.kind === 'outside' ? '/' : target.path;
    this.sftp.name(id, [{ filename: shown, longname: shown, attrs: {} as Attributes }]);
  }

  private statTarget(target: SftpTarget): Stats | null {
    try {
      switch (target.kind) {
        case 'root':
          return statSync(this.deps.layout.accountRoot(this.account));
        case 'area':
          return statSync(this.areaDir(target.area));
        case 'file': {
          const stats = statSync(this.areaPath(target.area, target.name));
          return stats.isFile() ? stats : null;
        }
        default:
          return null;
      }
    } catch {
      return null;
    }
  }

  private areaDir(area: SftpArea): string {
    return area === 'in' ? this.deps.layout.inDir(this.account) : this.deps.layout.outDir(this.account);
  }

  private areaPath(area: SftpArea, name: string): string {
    return join(this.areaDir(area), name);
  }

  private handle(bytes: Buffer): Handle | undefined {
    return bytes.length === 4 ? this.handles.get(bytes.readUInt32BE(0)) : undefined;
  }

  private sendHandle(id: number, handle: Handle): void {
    const handleId = this.nextHandle++;
    this.handles.set(handleId, handle);
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(handleId, 0);
    this.sftp.handle(id, bytes);
  }

  private reply(id: number, code: number, message?: string): void {
    this.sftp.status(id, code, message);
  }

  /** A file-system error answers the request as a failure instead of ending the process. */
  private guard(id: number, run: () => void): void {
    const latency = this.deps.latencyMs ?? 0;
    if (latency > 0) setTimeout(() => this.handleNow(id, run), latency);
    else this.handleNow(id, run);
  }

  private handleNow(id: number, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.deps.logger.warn({ account: this.account, err: (error as Error).message }, 'an SFTP request failed');
      try {
        this.reply(id, STATUS_CODE.FAILURE, 'the request failed on the server');
      } catch {
        // the channel is gone
      }
    }
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function fileAttributes(stats: Stats): Attributes {
  return {
    mode: stats.isDirectory() ? 0o40755 : 0o100644,
    uid: 0,
    gid: 0,
    size: stats.isDirectory() ? 0 : stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

function entry(name: string, stats: Stats): FileEntry {
  const attrs = fileAttributes(stats);
  const kind = stats.isDirectory() ? 'drwxr-xr-x' : '-rw-r--r--';
  const when = new Date(attrs.mtime * 1000).toUTCString().slice(5, 22);
  return { filename: name, longname: `${kind} 1 sim sim ${String(attrs.size).padStart(10)} ${when} ${name}`, attrs };
}
