/**
 * The base of every error the program raises on purpose. Callers decide on `code`, never on
 * `message` (the message is for people and may be translated or reworded).
 */
export class TurnkeyError extends Error {
  readonly code: string;
  /** What the operator can do about it, when there is something to say. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** A configuration value is missing, malformed or unknown. */
export class ConfigError extends TurnkeyError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('config', message, options);
  }

  /** One error listing every problem found in `file`, so that a user fixes them all in one go. */
  static listing(file: string, problems: readonly string[], hint: string): ConfigError {
    const count = problems.length === 1 ? 'an error' : `${problems.length} errors`;
    return new ConfigError(`${file} has ${count}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { hint });
  }
}

/** The caller used the program wrongly (bad arguments): the CLI exits 2. */
export class UsageError extends TurnkeyError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('usage', message, options);
  }
}
