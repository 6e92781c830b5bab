import { TurnkeyError } from '../errors/TurnkeyError.js';
import { TAIWAN_OFFSET_MS, taiwanStamp } from '../time/taiwanTime.js';

/** A name that does not follow the platform's naming. */
export class NameError extends TurnkeyError {
  declare readonly code: 'name-invalid';

  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('name-invalid', message, options);
  }
}

const MIG_VERSION = /^[0-9]\.[0-9]$/;
const MESSAGE_TYPE = /^[A-Z][0-9]{4}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** `<MIG version>-<message type>-<yyyyMMdd>-<HHmmssSSS>-<UUID>`: nine `-`-separated parts. */
const COMMON_NAME_PART_LENGTHS = [3, 5, 8, 9, 8, 4, 4, 4, 12] as const;

export interface CommonNameParts {
  /** e.g. `4.1`. */
  migVersion: string;
  /** e.g. `F0401`. */
  messageType: string;
  /** The moment the pack was made; written in Taiwan time (UTC+8). */
  at: Date;
  /** The pack's UUID; written in lower case. */
  uuid: string;
}

export interface ParsedCommonName extends CommonNameParts {
  /** `yyyyMMdd` as written (Taiwan date). */
  date: string;
  /** `HHmmssSSS` as written (Taiwan time). */
  time: string;
}

/**
 * The common name: the remote file name and the message id results refer to, e.g.
 * `4.1-F0401-20260824-141623456-550e8400-e29b-41d4-a716-446655440000`. The date and time are
 * Taiwan time (UTC+8), to the millisecond, whatever the machine's time zone.
 */
export function formatCommonName(parts: CommonNameParts): string {
  const { migVersion, messageType, at, uuid } = parts;
  if (!MIG_VERSION.test(migVersion)) throw new NameError(`MIG version "${migVersion}" is not like 4.1`);
  if (!MESSAGE_TYPE.test(messageType)) throw new NameError(`message type "${messageType}" is not like F0401`);
  if (!UUID.test(uuid)) throw new NameError(`"${uuid}" is not a UUID`);
  const time = at.getTime();
  if (!Number.isFinite(time)) throw new NameError('the time of the common name is not a valid date');
  const stamp = taiwanStamp(time);
  return `${migVersion}-${messageType}-${stamp.slice(0, 8)}-${stamp.slice(8)}-${uuid.toLowerCase()}`;
}

/** Reads a common name back; refuses anything that is not one (`name-invalid`). */
export function parseCommonName(name: string): ParsedCommonName {
  const parts = name.split('-');
  if (parts.length !== COMMON_NAME_PART_LENGTHS.length || parts.some((p, i) => p.length !== COMMON_NAME_PART_LENGTHS[i])) {
    throw new NameError(`"${name}" is not a common name (nine "-"-separated parts of lengths 3,5,8,9,8,4,4,4,12)`);
  }
  const [migVersion, messageType, date, time, ...uuidParts] = parts as [string, string, string, string, ...string[]];
  const uuid = uuidParts.join('-');
  if (!MIG_VERSION.test(migVersion)) throw new NameError(`"${name}": MIG version "${migVersion}" is not like 4.1`);
  if (!MESSAGE_TYPE.test(messageType)) throw new NameError(`"${name}": message type "${messageType}" is not like F0401`);
  if (!UUID.test(uuid)) throw new NameError(`"${name}": "${uuid}" is not a UUID`);
  const at = taiwanTime(date, time);
  if (at === null) throw new NameError(`"${name}": "${date}-${time}" is not a valid date and time`);
  return { migVersion, messageType, at, uuid, date, time };
}

export function isCommonName(name: string): boolean {
  try {
    parseCommonName(name);
    return true;
  } catch {
    return false;
  }
}

/** `yyyyMMdd` + `HHmmssSSS` in Taiwan time, or null when not a real date and time. */
function taiwanTime(date: string, time: string): Date | null {
  if (!/^[0-9]{8}$/.test(date) || !/^[0-9]{9}$/.test(time)) return null;
  const [year, month, day] = [date.slice(0, 4), date.slice(4, 6), date.slice(6, 8)].map(Number) as [number, number, number];
  const [hour, minute, second, ms] = [time.slice(0, 2), time.slice(2, 4), time.slice(4, 6), time.slice(6, 9)].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(utc);
  if (check.getUTCDate() !== day || check.getUTCFullYear() !== year) return null; // e.g. 20260231, or years 0-99 read as 19xx
  return new Date(utc - TAIWAN_OFFSET_MS);
}

export interface SignedFileNameParts {
  /** The ERP file the messages came from; may contain underscores. */
  source: string;
  /** The sender's party id. */
  from: string;
  /** The receiver's party id. */
  to: string;
  commonName: string;
  /** Messages in the pack. */
  count: number;
}

/**
 * The local signed-file name, `<source>_<from>_<to>_<common name>_<count>`, e.g.
 * `erp_batch_0001.xml_12345678_0000000000_4.1-F0401-20260824-141623456-550e8400-e29b-41d4-a716-446655440000_27`.
 */
export function formatSignedFileName(parts: SignedFileNameParts): string {
  const { source, from, to, commonName, count } = parts;
  if (source === '' || /[/\\\0]/.test(source)) throw new NameError('the source name must be a non-empty file name (no folders)');
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!/^[^_/\\\0\s]+$/.test(value)) throw new NameError(`"${value}" cannot be the ${field} party in a file name`);
  }
  parseCommonName(commonName);
  if (!Number.isSafeInteger(count) || count < 1) throw new NameError(`the message count ${count} is not a positive integer`);
  return `${source}_${from}_${to}_${commonName}_${count}`;
}

/** Reads a local signed-file name from the right, since the source may contain underscores. */
export function parseSignedFileName(name: string): SignedFileNameParts {
  const fields = name.split('_');
  if (fields.length < 5) throw new NameError(`"${name}" is not a signed-file name (<source>_<from>_<to>_<common name>_<count>)`);
  const countText = fields.pop()!;
  const commonName = fields.pop()!;
  const to = fields.pop()!;
  const from = fields.pop()!;
  const source = fields.join('_');
  if (!/^[1-9][0-9]*$/.test(countText)) throw new NameError(`"${name}": the count "${countText}" is not a positive integer`);
  if (source === '' || from === '' || to === '') throw new NameError(`"${name}": the source, from or to part is empty`);
  parseCommonName(commonName);
  return { source, from, to, commonName, count: Number(countText) };
}

/** What a file in the platform's `out/` folder is, told by its name. */
export type OutboxFileKind = 'ProcessResult' | 'SummaryResult' | 'E0501' | 'E0502' | 'E0503' | 'E0504' | 'Ack' | 'inbound' | 'unknown';

const RESULT_SUFFIXES = ['ProcessResult', 'SummaryResult', 'E0501', 'E0502', 'E0503', 'E0504', 'Ack'] as const;

/**
 * Classifies a name listed in `out/`: by its ending (`ProcessResult`, `SummaryResult`, `E0501` to
 * `E0504`, `Ack`); otherwise a common name is an inbound message (B2B exchange); anything else is
 * unknown (keep it, report it). A name that is exactly a common name is inbound even when its
 * UUID happens to end in hex digits spelling `E0501` (possible with an upper-case UUID).
 */
export function classifyOutboxName(name: string): OutboxFileKind {
  if (isCommonName(name)) return 'inbound';
  return RESULT_SUFFIXES.find((suffix) => name.endsWith(suffix)) ?? 'unknown';
}
