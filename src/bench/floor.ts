/**
 * `npm run bench:floor [-- N]`: this machine's floor for intake: N small F0401 files (10,000 by
 * default) read, validated, hashed and recorded with their bytes (the store's own transitions,
 * synchronous=FULL, 500 per transaction) in a tight loop on one thread — no watching, no claiming,
 * no filing, no worker threads. The end-to-end rate is read against it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { f0401Xml, invoiceNumber } from '../mig/F0401Factory.js';
import { MessageBytes } from '../store/MessageBytes.js';
import { MessageTransitions } from '../store/MessageTransitions.js';
import { Store } from '../store/Store.js';
import { Validator } from '../validation/Validator.js';
import { warmUp } from '../validation/warmUp.js';

async function main(): Promise<void> {
  const count = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 10_000);
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'turnkey-bench-floor-'));
  try {
    const files = join(root, 'files');
    mkdirSync(files);
    for (let i = 0; i < count; i++) writeFileSync(join(files, `${i}.xml`), f0401Xml({ number: invoiceNumber(i, 'FL') }));
    const validator = await Validator.create();
    warmUp(validator);
    const store = Store.open(join(root, 'turnkey.db'));
    const messages = new MessageTransitions(store.db);
    const kept = new MessageBytes(store.db);
    const names = readdirSync(files);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let at = 0; at < names.length; at += 500) {
      store.db.transaction(() => {
        for (const name of names.slice(at, at + 500)) {
          const bytes = readFileSync(join(files, name));
          const report = validator.validate(bytes, { file: name });
          const sha256 = createHash('sha256').update(bytes).digest('hex');
          const f = report.fields!;
          const { messageId } = messages.receive({
            messageType: 'F0401',
            category: 'B2SSTORAGE',
            messageKey: report.invoiceIdentifier,
            holdsKey: true,
            invoiceNumber: f.number,
            invoiceDate: f.date,
            actionDate: null,
            sellerId: f.sellerId,
            sellerName: f.sellerName,
            buyerId: f.buyerId,
            buyerName: f.buyerName,
            totalAmount: f.totalAmount,
            taxAmount: f.taxAmount,
            sha256,
            size: bytes.length,
            sourceName: name,
            errorCode: null,
            errorText: null,
            findingsJson: null,
            bytesKept: true,
          });
          kept.keep(messageId, sha256, bytes);
        }
      })();
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    store.close();
    validator.dispose();
    const perSecond = count / seconds;
    console.log(`floor: ${count} files read, validated, hashed and recorded in ${seconds.toFixed(2)} s: ${Math.round(perSecond)} files/s`);
    console.log(
      JSON.stringify({ bench: 'floor', files: count, seconds, perSecond, cpuMicrosPerFile: ((cpu.user + cpu.system) / count) | 0 }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
