import { defineFailpoints } from '../failpoints/failpoints.js';

/** Every step boundary of intake, in the order a batch passes them (crash tests kill at each). */
export const INTAKE_FAILPOINTS = {
  /** One file of the batch renamed from SRC to WORK, the others not yet. */
  'mid-claim': 'after the first file of a batch was claimed (renamed SRC → WORK)',
  /** The whole batch claimed and both folders fsynced. */
  'after-claim': 'after a batch was claimed and the folders fsynced, before reading',
  /** Read, hashed and validated; nothing recorded yet. */
  'after-validate': 'after a batch was read, hashed and validated, before the record transaction',
  /** Messages recorded in `received`; files still in WORK. */
  'after-record': 'after the record transaction committed, before any file was moved',
  /** The error report of a file written beside its ERR target; the file not yet moved. */
  'after-report': 'after an ERR report was written, before its file was moved',
  /** One file moved to BAK/ERR, the others not yet. */
  'mid-move': 'after the first file of a batch was moved to BAK/ERR',
  /** Every file moved and the folders fsynced; the messages still in `received`. */
  'after-move': 'after a batch was moved and the folders fsynced, before the settle transaction',
  /** The batch is complete. */
  'after-settle': 'after the settle transaction (received → queued/invalid) committed',
  /** Start-up recovery has re-filed one file. */
  'mid-recovery': 'during start-up recovery, after the first left-over file was re-filed',
} as const;

export type IntakeFailpoint = keyof typeof INTAKE_FAILPOINTS;

export const intakeFailpoint = defineFailpoints(INTAKE_FAILPOINTS);
