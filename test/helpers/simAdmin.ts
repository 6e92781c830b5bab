import { readFileSync } from 'node:fs';

/** The headers a `/_sim/` request carries: the simulator's admin token (from its owner-only file) and JSON. */
export function simAdminHeaders(tokenFile: string): Record<string, string> {
  return { authorization: `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`, 'content-type': 'application/json' };
}
