/**
 * `npm run bench:validate`: validates many copies of a 10-item F0401 on one core and prints
 * files/s and µs per file. Each copy gets its own invoice number, as real input would.
 * Usage: npm run bench:validate -- [count]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '../validation/Validator.js';

const SAMPLE = fileURLToPath(new URL('../../samples/valid/F0401-b2b-10-items.xml', import.meta.url));

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20_000);
  const template = readFileSync(SAMPLE, 'utf8');
  const number = /<InvoiceNumber>([A-Z]{2})(\d{8})<\/InvoiceNumber>/.exec(template);
  if (!number) throw new Error(`${SAMPLE} has no InvoiceNumber`);
  const copies = Array.from({ length: Math.min(count, 5_000) }, (_, i) =>
    Buffer.from(template.replace(number[0], `<InvoiceNumber>${number[1]}${String(i).padStart(8, '0')}</InvoiceNumber>`)),
  );

  const validator = await Validator.create();
  // Warm up the JIT and libxml2's allocator before measuring.
  for (let i = 0; i < 500; i++) validator.validate(copies[i % copies.length]!);

  let invalid = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) if (!validator.validate(copies[i % copies.length]!).valid) invalid++;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;

  if (invalid > 0) throw new Error(`${invalid} of ${count} copies were invalid: the benchmark input is wrong`);
  const perSecond = count / seconds;
  console.log(`validated ${count} files of ${join('samples/valid', 'F0401-b2b-10-items.xml')} (${copies[0]!.length} bytes each)`);
  console.log(`${Math.round(perSecond)} files/s, ${((seconds / count) * 1e6).toFixed(1)} µs per file, on one core`);
  console.log(JSON.stringify({ bench: 'validate', files: count, seconds, perSecond }));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
