import { basename, join, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isIgnoredName } from './fileNames.js';

/**
 * File-system events on the SRC folders (chokidar), only to notice new files at once. Events can
 * be missed (while stopped, or dropped by the OS): the periodic rescan is the source of truth.
 *
 * chokidar is used for its portable folder watching only: every entry inside a SRC folder is
 * `ignored`, so chokidar keeps no per-file state (no per-file watcher, no `add` bookkeeping, which
 * cost 10k inotify watches and ~90 MB for a 10k backlog), and the folder's raw events, which name
 * the file, are handed on. `awaitWriteFinish` is not used: intake checks stability itself for
 * every file, including the ones found by a scan.
 */
export class SrcWatcher {
  private constructor(private readonly watcher: FSWatcher) {}

  /**
   * `onFile(path)` for an event naming a file; `onFolder(dir)` when the platform did not say which
   * file changed (the folder is then scanned).
   */
  static start(
    dirs: readonly string[],
    onFile: (path: string) => void,
    onFolder: (dir: string) => void,
    onError: (err: unknown) => void,
  ): Promise<SrcWatcher> {
    const roots = new Set(dirs.map((d) => resolve(d)));
    const watcher = watch([...roots], {
      ignoreInitial: true,
      depth: 0,
      persistent: true,
      ignorePermissionErrors: true,
      awaitWriteFinish: false,
      ignored: (path: string) => !roots.has(resolve(path)),
    });
    watcher.on('raw', (_event: string, name: string | null, details: unknown) => {
      const dir = resolve(String((details as { watchedPath?: string } | undefined)?.watchedPath ?? ''));
      if (!roots.has(dir)) return;
      if (!name) onFolder(dir);
      else if (!isIgnoredName(basename(name))) onFile(join(dir, name));
    });
    watcher.on('error', onError);
    return new Promise((resolveReady) => {
      watcher.once('ready', () => resolveReady(new SrcWatcher(watcher)));
    });
  }

  close(): Promise<void> {
    return this.watcher.close();
  }
}
