import { posix } from 'node:path';

/** The two folders an account sees: `in/` (upload only) and `out/` (list, read, delete). */
export type SftpArea = 'in' | 'out';

export type SftpTarget =
  | { kind: 'root'; path: '/' }
  | { kind: 'area'; area: SftpArea; path: string }
  | { kind: 'file'; area: SftpArea; name: string; path: string }
  /** A path that is not part of the account's view, or a malformed one. */
  | { kind: 'outside'; path: string; reason: string };

/**
 * Reads a client's path against the account's view: `/`, `/in`, `/out` and the plain files in
 * them, nothing else. Relative paths start at `/`. Any `..` segment is refused outright (path
 * traversal), as are NUL bytes, backslashes and hidden names (the simulator's own working files).
 */
export function resolveSftpPath(raw: string): SftpTarget {
  if (raw.includes('\0')) return { kind: 'outside', path: raw, reason: 'the path holds a NUL byte' };
  if (raw.split('/').includes('..')) return { kind: 'outside', path: raw, reason: 'path traversal (..) is not allowed' };
  const path = posix.normalize(posix.join('/', raw));
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0) return { kind: 'root', path: '/' };
  const [area, name, ...rest] = parts as [string, string | undefined, ...string[]];
  if (area !== 'in' && area !== 'out') return { kind: 'outside', path, reason: 'only in/ and out/ exist' };
  if (name === undefined) return { kind: 'area', area, path: `/${area}` };
  if (rest.length > 0) return { kind: 'outside', path, reason: `${area}/ has no sub-folders` };
  if (name.startsWith('.') || name.includes('\\') || Buffer.byteLength(name) > 255) {
    return { kind: 'outside', path, reason: 'not an allowed file name' };
  }
  return { kind: 'file', area, name, path: `/${area}/${name}` };
}
