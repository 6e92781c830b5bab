import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createFileDurably, removeStaleTemps } from '../../fs/writeFileDurably.js';
import { SimError } from '../SimError.js';

/**
 * The secret that `/_sim/` requests must carry (`Authorization: Bearer <token>`): kept in a file
 * only its owner can read (created so, never readable by others even for a moment), made on the
 * first start and reused after, so that a test or an operator on the same account can read it and
 * other local users cannot.
 */
export function loadOrCreateAdminToken(file: string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    removeStaleTemps(dirname(file)); // a token half made by a simulator that was killed
    const token = randomBytes(24).toString('base64url');
    if (createFileDurably(dirname(file), basename(file), Buffer.from(`${token}\n`), { mode: 0o600 })) return token;
    // Another simulator on this folder made one a moment ago: both answer to that one.
  }
  return readAdminToken(file);
}

function readAdminToken(file: string): string {
  const stats = statSync(file);
  // A token others could read (or wrote) is no secret: refuse it rather than trust it.
  if (process.platform !== 'win32' && ((stats.mode & 0o077) !== 0 || stats.uid !== process.getuid!()))
    throw new SimError('sim-admin-token', `the admin token file ${file} is readable by others or not this user's`, {
      hint: 'Delete the file: the simulator makes a new, owner-only one when it starts.',
    });
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16)
    throw new SimError('sim-admin-token', `the admin token in ${file} is shorter than 16 characters`, {
      hint: 'Delete the file: the simulator makes a new one when it starts.',
    });
  return token;
}
