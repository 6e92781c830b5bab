import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { listMessages, type ListedMessage } from '../../store/MessageList.js';
import { Store } from '../../store/Store.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { EXIT } from '../exit.js';
import { sinceOption, statesOption, typesOption } from '../listFilter.js';

const COLUMNS = [
  'id',
  'messageType',
  'invoiceIdentifier',
  'number',
  'date',
  'sellerId',
  'buyerId',
  'totalAmount',
  'taxAmount',
  'state',
  'turnkeyStatus',
  'errorCode',
  'errorText',
  'sourceName',
  'receivedAt',
  'finalAt',
] as const;

interface ExportOptions {
  since: string;
  until?: string;
  format: 'csv' | 'json';
  state?: string;
  type?: string;
  out?: string;
  bom?: boolean;
  config?: string;
}

/** `turnkey export`: read-only, streamed (a year of messages never sits in memory). */
export async function runExport(options: ExportOptions): Promise<void> {
  const config = loadConfig(locateConfig(options.config).path);
  const now = Date.now();
  const store = Store.openReadOnly(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  const out: WriteStream | NodeJS.WriteStream = options.out ? createWriteStream(options.out, { mode: 0o600 }) : process.stdout;
  let count = 0;
  try {
    const filter = {
      states: statesOption(options.state),
      types: typesOption(options.type),
      since: sinceOption(options.since, now),
      until: sinceOption(options.until, now, '--until'),
      order: 'oldest' as const,
    };
    const rows = listMessages(store.db, filter);
    if (options.format === 'csv') await write(out, `${options.bom ? '\uFEFF' : ''}${COLUMNS.join(',')}\r\n`);
    for (const row of rows) {
      await write(out, options.format === 'csv' ? `${csvLine(row)}\r\n` : `${JSON.stringify(record(row))}\n`);
      count++;
    }
  } finally {
    store.close();
    if (out !== process.stdout) (out as WriteStream).end();
  }
  if (options.out) process.stderr.write(`${count} message(s) written to ${options.out}\n`);
  process.exitCode = EXIT.ok;
}

function record(m: ListedMessage): Record<(typeof COLUMNS)[number], string | number | null> {
  return {
    id: m.id,
    messageType: m.messageType,
    invoiceIdentifier: m.invoiceIdentifier,
    number: m.number,
    date: m.date,
    sellerId: m.sellerId,
    buyerId: m.buyerId,
    totalAmount: m.totalAmount,
    taxAmount: m.taxAmount,
    state: m.state,
    turnkeyStatus: m.turnkeyStatus,
    errorCode: m.errorCode,
    errorText: m.errorText,
    sourceName: m.sourceName,
    receivedAt: toTaiwanIso(new Date(m.receivedAt)),
    finalAt: m.finalAt === null ? null : toTaiwanIso(new Date(m.finalAt)),
  };
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function csvLine(m: ListedMessage): string {
  const r = record(m);
  return COLUMNS.map((c) => {
    const v = r[c] === null ? '' : String(r[c]);
    return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }).join(',');
}

async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}
