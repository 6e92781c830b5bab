import { stdSerializers } from 'pino';

/** What a secret is replaced with, in every log line. */
export const CENSOR = '[redacted]';

/**
 * Keys whose values are secrets, by their exact names: pino's `redact` paths at the top level of a
 * record and of a child logger's bindings (log lines name a message's key `messageKey`, so a `key`
 * is always a secret).
 */
export const SECRET_KEYS: readonly string[] = [
  'password',
  'loginPassword',
  'pfxPassword',
  'passphrase',
  'passwd',
  'pfx',
  'privateKey',
  'secret',
  'clientSecret',
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'credentials',
  'key',
];

/** The same keys as pino `redact` paths (a key that is not an identifier is bracketed). */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.map((k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`));

/**
 * Any key, at any depth, that may carry a secret: the names above, in any case, and every name
 * ending in password, passphrase, passwd, pwd, secret or token, or naming a private or API key.
 */
const SECRET_KEY = new RegExp(
  '^(?:key|pfx|p12|pwd|cookie|set-cookie|(?:proxy-)?authorization|credentials?' +
    '|.*(?:password|passphrase|passwd|secret|token|private_?key|api_?key|secret_?key))$',
  'i',
);

/** Deeper than this, a value is replaced rather than walked (log records are flat; a loop is cut). */
const MAX_DEPTH = 10;

const keyVerdicts = new Map<string, boolean>();

/** Whether a key's value must be censored (cached: records use a small vocabulary of keys). */
export function isSecretKey(key: string): boolean {
  let secret = keyVerdicts.get(key);
  if (secret === undefined) {
    secret = SECRET_KEY.test(key);
    if (keyVerdicts.size > 2000) keyVerdicts.clear();
    keyVerdicts.set(key, secret);
  }
  return secret;
}

/**
 * A log record (or a child logger's bindings) with every secret censored, at any depth; Errors
 * anywhere in it become serialized errors, themselves censored. The record is never changed: the
 * parts that hold a secret are copied (a record without one is returned as it is, costing one look
 * at each key: about 0.1 µs for the daemon's usual lines, where pino's wildcard `redact` paths cost
 * about 2 µs each, per line). Cycles become `[Circular]`, so that no original (uncensored) object is
 * left for the serializer to print.
 */
export function scrubRecord(record: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const value = record[key];
    let next: unknown;
    if (isSecretKey(key)) next = censored(value);
    else next = typeof value === 'object' && value !== null ? scrubValue(value, 1, [record]) : value;
    if (next !== value) (copy ??= { ...record })[key] = next;
  }
  return copy ?? record;
}

/** An error as pino's standard serializer writes it (type, message with its causes', stack, own fields), secrets censored. */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return typeof err === 'object' && err !== null ? scrubValue(err, 0, []) : err;
  return scrubValue(stdSerializers.err(err), 0, []);
}

function censored(value: unknown): unknown {
  return value === undefined || value === null ? value : CENSOR;
}

function scrubValue(value: object, depth: number, ancestors: object[]): unknown {
  if (ancestors.includes(value)) return '[Circular]';
  if (depth > MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) return scrubValue(stdSerializers.err(value), depth, ancestors);
  // Dates, Buffers and the like print themselves; a Buffer under a secret key was censored above.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const next = typeof item === 'object' && item !== null ? scrubValue(item, depth + 1, ancestors) : item;
        if (next !== item) (copy ??= [...value])[i] = next;
      }
      return copy ?? value;
    }
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | null = null;
    for (const key in record) {
      if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
      const item = record[key];
      let next: unknown;
      if (isSecretKey(key)) next = censored(item);
      else next = typeof item === 'object' && item !== null ? scrubValue(item, depth + 1, ancestors) : item;
      if (next !== item) (copy ??= { ...record })[key] = next;
    }
    return copy ?? value;
  } finally {
    ancestors.pop();
  }
}

/** Shortest secret value scrubbed from lines by value: a shorter one would censor ordinary words and numbers. */
export const MIN_SECRET_LENGTH = 6;

/**
 * Replaces known secret values (passwords as resolved) wherever they appear in a finished line, in
 * their raw and their JSON-escaped forms: the last defence for a secret inside a message, a stack or
 * an error's text, which no key names. Secrets are read on every line, so a Set may grow later.
 */
export class SecretValues {
  private readonly escaped = new Map<string, string>();

  constructor(private readonly values: Iterable<string>) {}

  scrub(line: string): string {
    for (const secret of this.values) {
      if (secret.length < MIN_SECRET_LENGTH) continue;
      if (line.includes(secret)) line = line.replaceAll(secret, CENSOR);
      let escaped = this.escaped.get(secret);
      if (escaped === undefined) {
        escaped = JSON.stringify(secret).slice(1, -1);
        this.escaped.set(secret, escaped);
      }
      if (escaped !== secret && line.includes(escaped)) line = line.replaceAll(escaped, CENSOR);
    }
    return line;
  }
}
