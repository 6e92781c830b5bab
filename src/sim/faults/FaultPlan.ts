import { ConfigError } from '../../errors/TurnkeyError.js';
import { FAULT_NAMES, isFaultName, type FaultName } from './faultNames.js';
import { SeededRandom } from './SeededRandom.js';

export interface FaultSettings {
  /** Seeds every stream; the same seed (and the same requests) gives the same faults. */
  seed: number | string;
  /** Probability (0..1) that each opportunity for the fault fires it. Absent: 0. */
  rates: Partial<Record<FaultName, number>>;
  /** Fire a fault at most this many times (counted since the settings were last changed). Absent: no limit. */
  maxFires: Partial<Record<FaultName, number>>;
  /** How long `gatewaySlowResponse` holds the answer. */
  slowResponseMs: number;
  /** When `gatewayTimeoutAfterAccept` answers; null: never (the connection is held until the client drops it). */
  timeoutAfterAcceptMs: number | null;
  /** How much later `resultDelayed` writes the results. */
  resultDelayMs: number;
  /** How long after the first copy `resultWrittenTwice` writes the second. */
  resultRewriteDelayMs: number;
}

export type FaultSettingsPatch = Partial<FaultSettings>;

export const DEFAULT_FAULT_SETTINGS: FaultSettings = {
  seed: 1,
  rates: {},
  maxFires: {},
  slowResponseMs: 2_000,
  timeoutAfterAcceptMs: null,
  resultDelayMs: 5_000,
  resultRewriteDelayMs: 500,
};

/**
 * Decides, deterministically, when each fault fires. Every fault has its own random stream
 * (seeded from the seed and the fault's name), and every opportunity draws exactly one number
 * from the streams it concerns, whatever the rates: so the sequence of one fault does not change
 * when another fault's rate does. Changing the settings restarts every stream.
 */
export class FaultPlan {
  private current: FaultSettings;
  private streams = new Map<FaultName, SeededRandom>();
  private firedSinceChange = new Map<FaultName, number>();
  private readonly firedTotal = new Map<FaultName, number>();

  constructor(settings: FaultSettingsPatch = {}) {
    this.current = checkSettings({ ...DEFAULT_FAULT_SETTINGS, ...settings });
    this.restartStreams();
  }

  settings(): FaultSettings {
    return structuredClone(this.current);
  }

  /** Merges a change (rates and maxFires are replaced as a whole when given) and restarts the streams. */
  update(patch: FaultSettingsPatch): FaultSettings {
    this.current = checkSettings({ ...this.current, ...patch });
    this.restartStreams();
    return this.settings();
  }

  /** One opportunity for one fault: does it fire? */
  draw(fault: FaultName): boolean {
    return this.pick([fault]) === fault;
  }

  /**
   * One opportunity for several mutually exclusive faults: draws once from each stream, in the
   * given order, and returns the first that fires (or null).
   */
  pick<T extends FaultName>(faults: readonly T[]): T | null {
    let chosen: T | null = null;
    for (const fault of faults) {
      const roll = this.stream(fault).next();
      if (chosen !== null) continue;
      const rate = this.current.rates[fault] ?? 0;
      const limit = this.current.maxFires[fault];
      const fired = this.firedSinceChange.get(fault) ?? 0;
      if (roll < rate && (limit === undefined || fired < limit)) chosen = fault;
    }
    if (chosen !== null) {
      this.firedSinceChange.set(chosen, (this.firedSinceChange.get(chosen) ?? 0) + 1);
      this.firedTotal.set(chosen, (this.firedTotal.get(chosen) ?? 0) + 1);
    }
    return chosen;
  }

  /** How many times each fault fired since the simulator started. */
  firedCounts(): Record<FaultName, number> {
    return Object.fromEntries(FAULT_NAMES.map((f) => [f, this.firedTotal.get(f) ?? 0])) as Record<FaultName, number>;
  }

  private stream(fault: FaultName): SeededRandom {
    let stream = this.streams.get(fault);
    if (!stream) {
      stream = new SeededRandom(`${this.current.seed}:${fault}`);
      this.streams.set(fault, stream);
    }
    return stream;
  }

  private restartStreams(): void {
    this.streams = new Map();
    this.firedSinceChange = new Map();
  }
}

function checkSettings(settings: FaultSettings): FaultSettings {
  const problems: string[] = [];
  if (typeof settings.seed !== 'number' && typeof settings.seed !== 'string') problems.push('faults.seed must be a number or a string');
  for (const [name, rate] of Object.entries(settings.rates ?? {})) {
    if (!isFaultName(name)) problems.push(`faults.rates.${name}: unknown fault (known: ${FAULT_NAMES.join(', ')})`);
    else if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) problems.push(`faults.rates.${name} must be a number from 0 to 1`);
  }
  for (const [name, limit] of Object.entries(settings.maxFires ?? {})) {
    if (!isFaultName(name)) problems.push(`faults.maxFires.${name}: unknown fault (known: ${FAULT_NAMES.join(', ')})`);
    else if (!Number.isSafeInteger(limit) || (limit as number) < 0) problems.push(`faults.maxFires.${name} must be a whole number >= 0`);
  }
  for (const key of ['slowResponseMs', 'resultDelayMs', 'resultRewriteDelayMs'] as const) {
    if (!Number.isSafeInteger(settings[key]) || settings[key] < 0)
      problems.push(`faults.${key} must be a whole number of milliseconds >= 0`);
  }
  const timeout = settings.timeoutAfterAcceptMs;
  if (timeout !== null && (!Number.isSafeInteger(timeout) || timeout < 0)) {
    problems.push('faults.timeoutAfterAcceptMs must be null (never answer) or a whole number of milliseconds >= 0');
  }
  if (problems.length > 0) throw new ConfigError(`invalid fault settings: ${problems.join('; ')}`);
  return { ...settings, rates: { ...settings.rates }, maxFires: { ...settings.maxFires } };
}
