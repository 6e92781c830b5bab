import { TurnkeyError } from '../errors/TurnkeyError.js';

/**
 * Why the simulator could not do what it was asked:
 * - `sim-listen`: a port could not be bound (taken, or not allowed);
 * - `sim-host-key`: the SSH host key in the data folder cannot be read or written;
 * - `sim-no-allocation`: an E0501 was asked for a period (or merchant) with no allocation;
 * - `sim-e0501-invalid`: the E0501 built from the allocations does not pass its schema;
 * - `sim-stopped`: the simulator was used after `stop()`;
 * - `sim-database`: the simulator's SQLite file cannot be opened (e.g. `turnkey sim stats` before any run).
 */
export type SimErrorCode =
  'sim-listen' | 'sim-host-key' | 'sim-admin-token' | 'sim-no-allocation' | 'sim-e0501-invalid' | 'sim-stopped' | 'sim-database';

export class SimError extends TurnkeyError {
  declare readonly code: SimErrorCode;

  constructor(code: SimErrorCode, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(code, message, options);
  }
}
