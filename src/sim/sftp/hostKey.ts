import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import ssh2 from 'ssh2';
import { writeFileDurably } from '../../fs/writeFileDurably.js';
import { SimError } from '../SimError.js';

export interface HostKey {
  /** OpenSSH private key text, for the SSH server. */
  privateKey: string;
  /** e.g. `ssh-ed25519`. */
  algorithm: string;
  /** The public key blob, Base64 (as in known_hosts and `.pub` files). */
  publicKeyBase64: string;
  /** `SHA256:...` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/**
 * The simulator's SSH host key: read from `file`, or made (Ed25519) and kept there on the first
 * run, readable by the owner only, so clients can pin it in known_hosts across restarts.
 */
export function loadOrCreateHostKey(file: string): HostKey {
  let privateKey: string;
  if (existsSync(file)) {
    try {
      privateKey = readFileSync(file, 'utf8');
    } catch (cause) {
      throw new SimError('sim-host-key', `cannot read the SSH host key ${file}`, { cause });
    }
  } else {
    const pair = generateEd25519();
    privateKey = pair.private;
    try {
      // Kept through a power cut: a key made again would not match the known_hosts entries made for this one.
      writeFileDurably(dirname(file), basename(file), Buffer.from(privateKey), { mode: 0o600 });
      // The public half as the umask has it (owner-only under `turnkey init`'s).
      writeFileDurably(dirname(file), `${basename(file)}.pub`, Buffer.from(`${pair.public}\n`));
    } catch (cause) {
      throw new SimError('sim-host-key', `cannot write the SSH host key ${file}`, { cause });
    }
  }
  const parsed = ssh2.utils.parseKey(privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) {
    throw new SimError('sim-host-key', `the SSH host key ${file} cannot be parsed${key instanceof Error ? `: ${key.message}` : ''}`, {
      hint: 'Delete it to have a new one made (clients must then update their known_hosts entry).',
    });
  }
  const blob = key.getPublicSSH();
  return {
    privateKey,
    algorithm: key.type,
    publicKeyBase64: blob.toString('base64'),
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}

/**
 * ssh2's key generator drops a leading zero byte of an Ed25519 public key (about 1 key in 128),
 * and then cannot read the key it wrote; such a key is thrown away and another one made.
 */
function generateEd25519(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'turnkey-sim' });
    const parsed = ssh2.utils.parseKey(pair.private);
    if (!(parsed instanceof Error) && parsed.getPublicSSH().length === ED25519_PUBLIC_BLOB_LENGTH) return pair;
  }
  throw new SimError('sim-host-key', 'could not make an Ed25519 host key');
}

/** `string "ssh-ed25519"` (4 + 11 bytes) + `string key` (4 + 32 bytes). */
const ED25519_PUBLIC_BLOB_LENGTH = 51;

/** The known_hosts line for this key at 127.0.0.1 on `port` (`[127.0.0.1]:2222 ssh-ed25519 AAAA…`). */
export function knownHostsLine(hostKey: HostKey, port: number): string {
  const host = port === 22 ? '127.0.0.1' : `[127.0.0.1]:${port}`;
  return `${host} ${hostKey.algorithm} ${hostKey.publicKeyBase64}`;
}
