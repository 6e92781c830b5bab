import { UsageError } from '../errors/index.js';
import { MESSAGE_STATES } from '../store/states.js';
import { parseWhen } from '../time/parseWhen.js';

/** `--state a,b`: each a known state. */
export function statesOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const states = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = states.filter((s) => !(MESSAGE_STATES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new UsageError(`unknown state ${unknown.join(', ')}`, { hint: `States: ${MESSAGE_STATES.join(', ')}.` });
  return states;
}

export function typesOption(value: string | undefined): string[] | undefined {
  return value
    ?.split(',')
    .map((t) => t.trim().toUpperCase())
    .filter(Boolean);
}

/** `--since 24h` (a duration back from now) or a time. */
export function sinceOption(value: string | undefined, now: number, name = '--since'): number | undefined {
  if (value === undefined) return undefined;
  const back = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
  const at = back ? parseWhen(`+${back[1]}${back[2]}`, 0) : null;
  const when = at !== null ? now - at : parseWhen(value, now);
  if (when === null) throw new UsageError(`${name} "${value}" is neither a duration (24h, 7d) nor a time (2026-12-01T00:00)`);
  return when;
}
