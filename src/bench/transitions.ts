/**
 * `npm run bench:transitions [-- N]`: what the store's bookkeeping costs per message, alone: N
 * messages (30,000 by default) recorded through `MessageTransitions` (the row, its first event and
 * the counts; 1,000 per transaction, as an intake batch), then moved a thousand at a time through
 * the states a confirmed message goes through (queued, packed, uploaded, confirmed: each move one
 * transaction with its event rows, as a pack step). A fresh store on disk, synchronous=FULL.
 * Reports the CPU per message of each step, to weigh a change of the store's design against the
 * daemon's CPU per invoice (`npm run bench:e2e`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invoiceNumber } from '../mig/F0401Factory.js';
import { MessageTransitions, type NewMessage } from '../store/MessageTransitions.js';
import type { MessageState } from '../store/states.js';
import { Store } from '../store/Store.js';

const BATCH = 1000;
const MOVES: ReadonlyArray<[MessageState, MessageState]> = [
  ['received', 'queued'],
  ['queued', 'packed'],
  ['packed', 'uploaded'],
  ['uploaded', 'confirmed'],
];

function message(i: number): NewMessage {
  const number = invoiceNumber(i, 'TR');
  return {
    messageType: 'F0401',
    category: 'B2SSTORAGE',
    messageKey: `F0401${number}20261201`,
    holdsKey: true,
    invoiceNumber: number,
    invoiceDate: '20261201',
    actionDate: null,
    sellerId: '12345675',
    sellerName: 'Seller',
    buyerId: '87654320',
    buyerName: 'Buyer',
    totalAmount: '1050',
    taxAmount: '50',
    sha256: number.padEnd(64, '0'),
    size: 5000,
    sourceName: `${number}.xml`,
    errorCode: null,
    errorText: null,
    findingsJson: null,
    bytesKept: true,
  };
}

function main(): void {
  const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 30_000);
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'turnkey-bench-transitions-'));
  const store = Store.open(join(root, 'turnkey.db'));
  try {
    const transitions = new MessageTransitions(store.db);
    const cpuMicros = new Map<string, number>();
    const timed = (step: string, work: () => void): void => {
      const before = process.cpuUsage();
      store.db.transaction(work)();
      const used = process.cpuUsage(before);
      cpuMicros.set(step, (cpuMicros.get(step) ?? 0) + used.user + used.system);
    };
    for (let first = 0; first < count; first += BATCH) {
      const ids: number[] = [];
      timed('record', () => {
        for (let i = first; i < Math.min(first + BATCH, count); i++) ids.push(transitions.receive(message(i)).messageId);
      });
      for (const [from, to] of MOVES) timed(`${from} → ${to}`, () => transitions.moveMany(ids, from, to));
    }
    const perMessage = Object.fromEntries([...cpuMicros].map(([step, micros]) => [step, Math.round((micros / count) * 10) / 10]));
    const steps = Object.entries(perMessage).map(([step, micros]) => `${step} ${micros} µs`);
    console.log(`transitions: ${count} messages, CPU per message: ${steps.join(', ')}`);
    console.log(JSON.stringify({ bench: 'transitions', messages: count, cpuMicrosPerMessage: perMessage }));
  } finally {
    store.close();
    rmSync(root, { recursive: true, force: true });
  }
}

main();
