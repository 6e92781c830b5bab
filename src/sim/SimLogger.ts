/**
 * Where the simulator says what it does; pino's loggers fit. Fields never hold a password or a
 * certificate's key.
 */
export interface SimLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const SILENT_LOGGER: SimLogger = {
  info() {},
  warn() {},
  error() {},
};
