/**
 * The message states and the moves between them. Pure data: `MessageTransitions` is the only code
 * that writes a state, and it refuses any move not listed here. Later issues add moves to
 * `ALLOWED`; the meaning of a state never changes.
 */

export const MESSAGE_STATES = [
  /** Recorded from a claimed file whose move to BAK/ERR is not yet confirmed. */
  'received',
  /** Failed validation (or wrong folder, or a conflicting duplicate). Final. */
  'invalid',
  /** Valid, its file filed in BAK, waiting to be sent. */
  'queued',
  /** Put into an outgoing pack. */
  'packed',
  /** The platform has it (Turnkey `G`). */
  'uploaded',
  /** The outcome of an upload is not known and must be reconciled. */
  'unknown',
  /** Accepted by the platform. Final (Turnkey `C`). */
  'confirmed',
  /** Refused by the platform. Final (Turnkey `E`). */
  'rejected',
  /** Retries exhausted; an operator must act. */
  'failed',
] as const;

export type MessageState = (typeof MESSAGE_STATES)[number];

/** States after which nothing more happens to a message without an operator. */
export const FINAL_STATES: ReadonlySet<MessageState> = new Set<MessageState>(['invalid', 'confirmed', 'rejected']);

/**
 * Which state may follow which. Intake uses received → queued | invalid; the outbound issue fills
 * in the rest of the life (the moves listed for it are the intended shape, used by retention tests).
 */
export const ALLOWED: Readonly<Record<MessageState, readonly MessageState[]>> = {
  received: ['queued', 'invalid'],
  invalid: [],
  queued: ['packed', 'failed'],
  // rejected: the gateway refused the pack for its content (the platform never had it).
  packed: ['uploaded', 'unknown', 'queued', 'failed', 'rejected'],
  uploaded: ['confirmed', 'rejected', 'unknown'],
  unknown: ['uploaded', 'confirmed', 'rejected', 'queued', 'failed'],
  confirmed: [],
  rejected: [],
  // A result that arrives after the retries ran out is still applied: a late success is never lost.
  // `turnkey retry` puts a failed message back: queued (never uploaded) or unknown (uploaded: re-notified, not re-signed).
  failed: ['queued', 'uploaded', 'unknown', 'confirmed', 'rejected'],
};

/**
 * Turnkey's STATUS letter for a state, as an ERP polling TURNKEY_MESSAGE_LOG expects: P preparing
 * (not yet sent), G uploaded (sent, verdict pending), C confirmed, E error.
 */
export const TURNKEY_STATUS: Readonly<Record<MessageState, 'P' | 'G' | 'C' | 'E'>> = {
  received: 'P',
  queued: 'P',
  packed: 'P',
  uploaded: 'G',
  unknown: 'G',
  confirmed: 'C',
  rejected: 'E',
  invalid: 'E',
  failed: 'E',
};

/**
 * States in which a message no longer stands: the platform refused it (`rejected`) or it was never
 * taken (`invalid`). Every other message stands: the platform has it, or will, or may (`failed`
 * after an upload). The rules that look at other messages (an invoice number issued twice, what an
 * allowance takes off an invoice, a cancel of what was cancelled) count standing messages only.
 */
export const NOT_STANDING: readonly MessageState[] = ['rejected', 'invalid'];

/** The same, for SQL: `state NOT IN ${NOT_STANDING_SQL}`. */
export const NOT_STANDING_SQL = `(${NOT_STANDING.map((s) => `'${s}'`).join(', ')})`;

export function isStanding(state: MessageState): boolean {
  return !NOT_STANDING.includes(state);
}

export function isMessageState(value: string): value is MessageState {
  return (MESSAGE_STATES as readonly string[]).includes(value);
}

export function isAllowedTransition(from: MessageState, to: MessageState): boolean {
  return ALLOWED[from].includes(to);
}

/**
 * The states of a pack (one signed file: the transaction; each try at it is an attempt). Written
 * only by PackTransitions, which refuses any move not listed in PACK_ALLOWED.
 */
export const PACK_STATES = [
  /** Signed, written durably and recorded; not yet uploaded. */
  'packed',
  /** In the platform's in/ folder; the notification comes next. */
  'file-uploaded',
  /** The gateway queued it (statusCode 0): its results will come. */
  'notified',
  /** A notification's outcome is not known: re-notified, never re-signed, settled by a result. */
  'unknown',
  /** Its results were applied. Final. */
  'settled',
  /** The gateway refused it for its content. Final. */
  'refused',
  /** Its retries ran out; an operator must act (a late result still settles it). */
  'failed',
] as const;

export type PackState = (typeof PACK_STATES)[number];

/**
 * Which pack state may follow which. A pack stays in its state while an attempt failed and is
 * tried again (`packed → packed`); a result may settle a pack in any state but the final ones, so
 * that a late verdict is never lost.
 */
export const PACK_ALLOWED: Readonly<Record<PackState, readonly PackState[]>> = {
  packed: ['packed', 'file-uploaded', 'failed', 'settled'],
  'file-uploaded': ['file-uploaded', 'notified', 'unknown', 'refused', 'failed', 'settled'],
  notified: ['settled'],
  unknown: ['unknown', 'notified', 'failed', 'settled'],
  settled: [],
  refused: [],
  // `turnkey retry`: a pack that was uploaded before it failed is notified again (the same bytes, never re-signed).
  failed: ['settled', 'unknown'],
};

export function isAllowedPackTransition(from: PackState, to: PackState): boolean {
  return PACK_ALLOWED[from].includes(to);
}
