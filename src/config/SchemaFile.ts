import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ConfigError } from '../errors/index.js';
import { keyPath } from './keyPath.js';
import { VALIDATOR_OPTIONS } from './validatorOptions.js';

const require = createRequire(import.meta.url);

export interface SchemaFileOptions {
  /** What the file is, for messages: "configuration file", "simulator configuration". */
  readonly label: string;
  /** Where the keys are described, for the hint under every schema error. */
  readonly describedIn: string;
  /** The validator compiled ahead of time (scripts/build-validators.mjs): used when it is there. */
  readonly precompiled?: URL;
  /** What to do when the file is not there. */
  readonly missingHint: string;
}

/**
 * A JSON file checked against a JSON Schema: the daemon's configuration and the simulator's are read
 * the same way. Every problem is reported at once, each naming its key path and how to fix it;
 * defaults from the schema are filled in.
 */
export class SchemaFile<T> {
  readonly #schema: Record<string, unknown>;
  readonly #options: SchemaFileOptions;
  #validate: ValidateFunction | undefined;

  constructor(schema: object, options: SchemaFileOptions) {
    this.#schema = schema as Record<string, unknown>;
    this.#options = options;
  }

  /** Reads and checks `file`; returns its content with every default applied, and its absolute path. */
  read(file: string): { data: T; path: string } {
    const path = resolve(file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw new ConfigError(
        code === 'ENOENT' ? `no ${this.#options.label} at ${path}` : `cannot read the ${this.#options.label} ${path} (${code ?? cause})`,
        { cause, hint: code === 'ENOENT' ? this.#options.missingHint : `Check the permissions of ${path}.` },
      );
    }
    return { data: this.parse(text, path), path };
  }

  /** Checks `text` as the content of `path`. */
  parse(text: string, path: string): T {
    let data: unknown;
    try {
      data = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (cause) {
      throw new ConfigError(`${path} is not valid JSON: ${describeJsonError(text, cause)}`, {
        cause,
        hint: 'Fix the JSON syntax (no comments, no trailing commas, keys in double quotes).',
      });
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new ConfigError(`${path} must hold a JSON object ({ ... })`, {
        hint: `Its keys are described in ${this.#options.describedIn}.`,
      });
    }
    const check = this.#validator();
    if (!check(data)) {
      const problems = [...new Set((check.errors ?? []).map((e) => this.#describe(e)))];
      throw ConfigError.listing(
        path,
        problems,
        `Each key, its allowed values and its default are described in ${this.#options.describedIn}.`,
      );
    }
    return data as T;
  }

  /** Every key with its default, as a file would hold it. */
  defaults(): T {
    const data: Record<string, unknown> = {};
    // useDefaults fills every absent key (sections default to {} and then get their own defaults).
    if (!this.#validator()(data)) throw new Error(`the ${this.#options.label} schema rejects an empty file`);
    return data as T;
  }

  #validator(): ValidateFunction {
    this.#validate ??= this.#precompiled() ?? this.#compile();
    return this.#validate;
  }

  /** The validator built with the program: no ajv to load, no schema to compile (a quarter of a second saved per command). */
  #precompiled(): ValidateFunction | null {
    if (!this.#options.precompiled) return null;
    try {
      return (require(fileURLToPath(this.#options.precompiled)) as { default: ValidateFunction }).default;
    } catch {
      return null; // not built (a checkout run from its sources): compiled below
    }
  }

  #compile(): ValidateFunction {
    // ajv is CommonJS; under NodeNext its class is the module's `default`.
    const Ajv = (require('ajv') as typeof AjvModule).default;
    // ajv adds nothing to the schema it compiles, but it types it as mutable; the consts are `as const`.
    return new Ajv(VALIDATOR_OPTIONS).compile(structuredClone(this.#schema));
  }

  #describe(error: ErrorObject): string {
    const where = keyPath(error.instancePath);
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = String(params.additionalProperty);
        const allowed = this.#allowedKeys(error.schemaPath);
        const guess = closest(key, allowed);
        return (
          `${keyPath(error.instancePath, key)}: unknown key` +
          (guess ? ` - did you mean "${guess}"?` : '') +
          ` Remove it or fix its spelling; keys allowed ${where === '(top level)' ? 'at the top level' : `in ${where}`}: ` +
          `${allowed.join(', ')}.`
        );
      }
      case 'required':
        return `${keyPath(error.instancePath, String(params.missingProperty))}: required.`;
      case 'type':
        return `${where}: must be ${String(params.type).replace(',', ' or ')}, found ${describeValue(error.data)}.`;
      case 'enum':
        return (
          `${where}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, found ` +
          `${describeValue(error.data)}.`
        );
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        return `${where}: must be ${String(params.comparison)} ${String(params.limit)}, found ${describeValue(error.data)}.`;
      case 'minLength':
        return `${where}: must not be empty.`;
      case 'minItems':
        return `${where}: must list at least ${String(params.limit)} item(s).`;
      case 'uniqueItems':
        return `${where}: lists the same value twice (items ${String(params.j)} and ${String(params.i)}); remove the repeat.`;
      default:
        return `${where}: ${error.message ?? 'is not allowed'}.`;
    }
  }

  /** The keys the schema allows at the object an `additionalProperties` error points to. */
  #allowedKeys(schemaPath: string): string[] {
    // schemaPath looks like `#/properties/intake/additionalProperties`.
    const parts = schemaPath.replace(/^#\//, '').split('/').slice(0, -1);
    let node: unknown = this.#schema;
    for (const part of parts) node = (node as Record<string, unknown> | undefined)?.[part];
    const props = (node as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    return Object.keys(props).filter((k) => k !== '$schema');
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}" (a string)`;
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (a ${typeof value})`;
}

function closest(key: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function describeJsonError(text: string, cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const position = /position (\d+)/.exec(message);
  if (!position) return message;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}
