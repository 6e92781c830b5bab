import type { MessageDecisionRecord } from '../record/SimDatabase.js';
import type { ResultRouting } from './ResultRouting.js';

/** Everything a pack's results say: who, which pack, and each message's fate (or the pack's). */
export interface PackOutcome {
  routing: ResultRouting;
  /** The common name. */
  messageId: string;
  /** The armored size, as notified. */
  size: number;
  messageType: string;
  serviceType: string;
  action: string;
  /** The notified quantity: the pack's total when the whole pack failed. */
  quantity: number;
  packCode: string | null;
  packReason: string | null;
  decisions: readonly MessageDecisionRecord[];
}
