import { describe, expect, it } from 'vitest';
import { hostPatternFor, isKnownHostKey, parseKnownHosts } from '../../src/transport/sftp/knownHosts.js';

const KEY_A = Buffer.from('key-a').toString('base64');
const KEY_B = Buffer.from('key-b').toString('base64');

describe('known hosts', () => {
  it('writes a non-22 port as [host]:port, as OpenSSH does', () => {
    expect(hostPatternFor('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(hostPatternFor('sftp.example', 22)).toBe('sftp.example');
  });

  it('accepts only the listed key for that host and port', () => {
    const entries = parseKnownHosts(`# platform\n[127.0.0.1]:2222 ssh-ed25519 ${KEY_A}\nother,[127.0.0.1]:2223 ssh-ed25519 ${KEY_B}\n`);
    expect(isKnownHostKey(entries, '127.0.0.1', 2222, Buffer.from('key-a'))).toBe(true);
    expect(isKnownHostKey(entries, '127.0.0.1', 2222, Buffer.from('key-b'))).toBe(false);
    expect(isKnownHostKey(entries, '127.0.0.1', 2223, Buffer.from('key-b'))).toBe(true);
    expect(isKnownHostKey(entries, '127.0.0.1', 22, Buffer.from('key-a'))).toBe(false);
  });

  it('accepts nothing when there is no entry (there is no accept-anything mode)', () => {
    expect(isKnownHostKey(parseKnownHosts(''), '127.0.0.1', 2222, Buffer.from('key-a'))).toBe(false);
  });
});
