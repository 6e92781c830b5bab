import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateHostKey } from '../../src/sim/sftp/hostKey.js';

describe('host key', () => {
  it('makes host keys it can always read back (ssh2 drops a leading zero byte of about 1 key in 128)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'turnkey-sim-hostkeys-'));
    try {
      const fingerprints = new Set<string>();
      for (let i = 0; i < 400; i++) {
        const key = loadOrCreateHostKey(join(dir, `key-${i}`));
        expect(Buffer.from(key.publicKeyBase64, 'base64')).toHaveLength(51);
        fingerprints.add(key.fingerprint);
        expect(loadOrCreateHostKey(join(dir, `key-${i}`)).fingerprint).toBe(key.fingerprint);
      }
      expect(fingerprints.size).toBe(400);
      expect(statSync(join(dir, 'key-0')).mode & 0o077).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
