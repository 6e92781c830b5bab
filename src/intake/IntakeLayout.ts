import { join, relative, sep } from 'node:path';
import { messageSpec } from '../mig/catalog.js';
import { ConfigError } from '../errors/index.js';
import { mkdirDurably } from '../fs/fsyncDir.js';

/** The four folders of one message type: Turnkey's SRC/BAK/ERR plus our WORK (files claimed, in hand). */
export interface TypeFolders {
  type: string;
  category: string;
  /** Relative to the data root, forward slashes: `UpCast/B2SSTORAGE/F0401`. */
  base: string;
  src: string;
  work: string;
  bak: string;
  err: string;
}

/**
 * Turnkey's folder layout under the data root: `UpCast/<CATEGORY>/<MIG>/SRC/` for each enabled
 * outbound type, with `BAK/<yyyyMMdd>/` and `ERR/<yyyyMMdd>/` beside it, so existing ERP exports
 * work unchanged. `WORK/` holds files that were claimed and not yet filed.
 */
export class IntakeLayout {
  readonly folders: readonly TypeFolders[];
  private readonly byType: Map<string, TypeFolders>;

  constructor(
    readonly dataRoot: string,
    messageTypes: readonly string[],
  ) {
    this.folders = messageTypes.map((type) => {
      const folders = this.foldersOf(type);
      if (!folders) {
        throw new ConfigError(`intake.messageTypes: ${type} is not a message the ERP sends`, {
          hint: 'Use outbound types only: F0401 F0501 F0701 G0401 G0501 E0401 E0402.',
        });
      }
      return folders;
    });
    this.byType = new Map(this.folders.map((f) => [f.type, f]));
  }

  /** The folders of an enabled type. */
  folder(type: string): TypeFolders | undefined {
    return this.byType.get(type);
  }

  /** The folders of any outbound type, enabled or not (recovery of a type disabled since). */
  foldersOf(type: string): TypeFolders | undefined {
    const enabled = this.byType?.get(type);
    if (enabled) return enabled;
    const spec = messageSpec(type);
    if (!spec || !spec.outbound || spec.category === null) return undefined;
    const abs = join(this.dataRoot, 'UpCast', spec.category, type);
    return {
      type,
      category: spec.category,
      base: `UpCast/${spec.category}/${type}`,
      src: join(abs, 'SRC'),
      work: join(abs, 'WORK'),
      bak: join(abs, 'BAK'),
      err: join(abs, 'ERR'),
    };
  }

  /** Creates every folder that is missing. */
  ensure(): void {
    for (const f of this.folders) this.ensureFolders(f);
  }

  /**
   * Creates the missing folders of one type, durably: a claim renames into WORK and the filer into
   * BAK and ERR, and each is recorded (throws what the file system says when it cannot).
   */
  ensureFolders(f: TypeFolders): void {
    mkdirDurably(f.src, f.work, f.bak, f.err);
  }

  /** Data-root relative, forward slashes (stored in the database, portable between OSes). */
  toRelative(absolute: string): string {
    // Paths intake builds lie under the data root: a prefix cut, without path.relative's resolving.
    const prefix = this.dataRoot.endsWith(sep) ? this.dataRoot : this.dataRoot + sep;
    const inside =
      absolute.startsWith(prefix) && !absolute.includes(`${sep}..${sep}`)
        ? absolute.slice(prefix.length)
        : relative(this.dataRoot, absolute);
    return sep === '/' ? inside : inside.split(sep).join('/');
  }

  toAbsolute(relativePath: string): string {
    return join(this.dataRoot, ...relativePath.split('/'));
  }
}
