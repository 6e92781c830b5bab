import { describe, expect, it } from 'vitest';
import { resolveSftpPath } from '../../src/sim/sftp/sftpPaths.js';

describe('SFTP paths', () => {
  it('maps the view: root, in/, out/ and the files in them', () => {
    expect(resolveSftpPath('.')).toEqual({ kind: 'root', path: '/' });
    expect(resolveSftpPath('')).toEqual({ kind: 'root', path: '/' });
    expect(resolveSftpPath('out/')).toEqual({ kind: 'area', area: 'out', path: '/out' });
    expect(resolveSftpPath('/in/./a-file')).toEqual({ kind: 'file', area: 'in', name: 'a-file', path: '/in/a-file' });
  });

  it('refuses traversal, NUL bytes, hidden names and sub-folders', () => {
    for (const path of ['in/../x', '../in/x', 'in/..', 'in/x\0y', 'in/.hidden', 'in/a/b', 'etc/passwd', 'in/a\\b']) {
      expect(resolveSftpPath(path).kind).toBe('outside');
    }
  });
});
