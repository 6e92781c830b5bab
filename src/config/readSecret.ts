import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';
import type { SecretRef } from './types.js';

/**
 * Reads a secret where the configuration says it is. The error names the key and where it looked,
 * never the value.
 */
export function readSecret(ref: SecretRef, key: string): string {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const value = process.env[ref.env];
    if (value === undefined || value === '') {
      throw new ConfigError(`${key}: the environment variable ${ref.env} is not set`, {
        hint: `Set ${ref.env} in the service's environment.`,
      });
    }
    return value;
  }
  try {
    // A trailing newline is what editors and `echo` add; it is never part of a password.
    return readFileSync(ref.file, 'utf8').replace(/\r?\n$/, '');
  } catch (cause) {
    throw new ConfigError(`${key}: cannot read the secret file ${ref.file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'Check the path and that the service user may read it (and nobody else).',
    });
  }
}
