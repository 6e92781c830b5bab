import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f0401Xml, f0401XmlWithWrongTotal, invoiceNumber } from '../../src/mig/F0401Factory.js';
import { classifyOutboxName } from '../../src/protocol/names.js';
import { RESULT_CODE } from '../../src/sim/index.js';
import { notificationFor, notify } from './helpers/gateway.js';
import { makeIdentity } from './helpers/identity.js';
import { flipOneByte, type BuiltPack } from './helpers/packs.js';
import { readProcessResult, readSummaryResult, resultValidator } from './helpers/results.js';
import { SftpTestClient } from './helpers/sftpClient.js';
import { resultsWritten, startFixture, type SimFixture } from './helpers/simFixture.js';

let fx: SimFixture;
let client: SftpTestClient;

beforeAll(async () => {
  fx = await startFixture();
  client = await SftpTestClient.connect(fx.sim, fx.account.transportId, fx.account.password);
});
afterAll(async () => {
  client?.end();
  await fx?.close();
});

/** Uploads, notifies (expecting acceptance), and returns the two result files once written. */
async function send(pack: BuiltPack): Promise<{ process: Buffer; summary: Buffer; names: string[] }> {
  await client.upload(`in/${pack.commonName}`, pack.file);
  const written = resultsWritten(fx.sim, pack.commonName);
  const reply = await notify(fx.sim, notificationFor(pack, fx.account));
  expect(reply.status).toBe(200);
  expect(reply.json.statusCode).toBe(0);
  const names = await written;
  const process = await client.read(`out/${pack.commonName}-ProcessResult`);
  const summary = await client.read(`out/${pack.commonName}-SummaryResult`);
  return { process, summary, names };
}

let next = 1;
function numbers(count: number): string[] {
  return Array.from({ length: count }, () => invoiceNumber(next++, 'PR'));
}

describe('processing a pack', () => {
  it('answers a signed pack of valid invoices with a ProcessResult and a SummaryResult, all Good, valid against our XSDs', async () => {
    const invoices = numbers(5);
    const pack = fx.pack(invoices.map((n) => f0401Xml({ number: n })));
    const { process, summary, names } = await send(pack);

    expect(names).toEqual([`${pack.commonName}-ProcessResult`, `${pack.commonName}-SummaryResult`]);
    expect(names.map(classifyOutboxName)).toEqual(['ProcessResult', 'SummaryResult']);
    const validator = await resultValidator();
    for (const file of [process, summary]) {
      const report = validator.validate(file);
      expect(report.errors).toEqual([]);
      expect(report.valid).toBe(true);
    }
    expect(validator.validate(process).messageType).toBe('ProcessResult');
    expect(validator.validate(summary).messageType).toBe('SummaryResult');

    expect(readProcessResult(process)).toEqual({ id: pack.commonName, infos: [{ code: '0000', description: '成功', parameters: [] }] });
    expect(readSummaryResult(summary)).toEqual({
      id: pack.commonName,
      total: 5,
      good: { count: 5, numbers: invoices },
      failed: { count: 0, numbers: null },
    });
  });

  it('reads a zipped pack the same way', async () => {
    const invoices = numbers(3);
    const { summary } = await send(
      fx.pack(
        invoices.map((n) => f0401Xml({ number: n })),
        { zip: true },
      ),
    );
    expect(readSummaryResult(summary).good).toEqual({ count: 3, numbers: invoices });
  });

  it('fails the whole pack with E0004 when one byte of the signed file is changed', async () => {
    const invoices = numbers(4);
    const pack = fx.pack(
      invoices.map((n) => f0401Xml({ number: n })),
      { tamper: flipOneByte },
    );
    const { process, summary } = await send(pack);
    const result = readProcessResult(process);
    expect(result.infos).toHaveLength(1);
    expect(result.infos[0]!.code).toBe(RESULT_CODE.signature);
    expect(result.infos[0]!.code).toBe('E0004');
    expect(readSummaryResult(summary)).toMatchObject({ total: 4, good: { count: 0 }, failed: { count: 4, numbers: null } });
    expect((await resultValidator()).validate(summary).valid).toBe(true);
    for (const n of invoices) expect(fx.sim.stats({ invoice: n }).invoices).toEqual([]);
  });

  it('fails with E0004 a pack signed by a certificate that is not registered for the account', async () => {
    const stranger = makeIdentity('Not Registered');
    const pack = fx.pack([f0401Xml({ number: numbers(1)[0]! })], { identity: stranger });
    const result = readProcessResult((await send(pack)).process);
    expect(result.infos.map((i) => i.code)).toEqual(['E0004']);
    expect(result.infos[0]!.description).toMatch(/not registered/);
  });

  it('lists an invalid invoice under Failed with its reason and accepts the others', async () => {
    const [good1, bad, good2] = numbers(3) as [string, string, string];
    const pack = fx.pack([f0401Xml({ number: good1 }), f0401XmlWithWrongTotal({ number: bad }), f0401Xml({ number: good2 })]);
    const { process, summary } = await send(pack);
    expect(readSummaryResult(summary)).toMatchObject({
      total: 3,
      good: { count: 2, numbers: [good1, good2] },
      failed: { count: 1, numbers: [bad] },
    });
    const infos = readProcessResult(process).infos;
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ code: RESULT_CODE.invalidMessage, parameters: ['InvoiceNumber', bad, '2', 'amount-total'] });
    expect(infos[0]!.description).toMatch(/TotalAmount/);
    expect(fx.sim.stats({ invoice: bad }).invoices).toEqual([
      { messageType: 'F0401', number: bad, accepted: 0, rejected: 1, duplicate: 0 },
    ]);
  });

  it('answers the very same invoice sent again with E0201, and the same number with other content with E1003', async () => {
    const [number, other] = numbers(2) as [string, string];
    const original = f0401Xml({ number });
    await send(fx.pack([original]));

    const again = readProcessResult((await send(fx.pack([original, f0401Xml({ number: other })]))).process);
    expect(again.infos).toEqual([
      { code: 'E0201', description: expect.stringMatching(/accepted before/), parameters: ['InvoiceNumber', number, '1'] },
    ]);

    const changed = f0401Xml({ number, time: '11:11:11' });
    const reissued = readProcessResult((await send(fx.pack([changed]))).process);
    expect(reissued.infos.map((i) => i.code)).toEqual(['E1003']);

    expect(fx.sim.stats({ invoice: number }).invoices).toEqual([{ messageType: 'F0401', number, accepted: 1, rejected: 0, duplicate: 2 }]);
  });

  it('catches the same invoice twice within one pack', async () => {
    const [number] = numbers(1) as [string];
    const message = f0401Xml({ number });
    const { summary, process } = await send(fx.pack([message, message]));
    expect(readSummaryResult(summary)).toMatchObject({ good: { count: 1 }, failed: { count: 1, numbers: [number] } });
    expect(readProcessResult(process).infos.map((i) => i.code)).toEqual(['E0201']);
  });

  it('refuses, under its extra rules, what the validator accepts (rejectInvoiceNumbers, changed at run time)', async () => {
    const [refused, fine] = numbers(2) as [string, string];
    fx.sim.setRules({ rejectInvoiceNumbers: [refused] });
    try {
      const { process } = await send(fx.pack([f0401Xml({ number: refused }), f0401Xml({ number: fine })]));
      expect(readProcessResult(process).infos).toEqual([
        { code: 'E9102', description: expect.any(String), parameters: ['InvoiceNumber', refused, '1', 'reject-invoice-number'] },
      ]);
    } finally {
      fx.sim.setRules({ rejectInvoiceNumbers: [] });
    }
  });

  it('fails a pack whose envelope is from another merchant than the account (E9002)', async () => {
    const pack = fx.pack([f0401Xml({ number: numbers(1)[0]! })], {
      routing: { from: { id: '99999999' }, fromVac: { id: '99999999' }, to: { id: '0000000000' }, toVac: { id: '0000000000' } },
    });
    await client.upload(`in/${pack.commonName}`, pack.file);
    const written = resultsWritten(fx.sim, pack.commonName);
    // The notification names the account's own party, as it must; only the signed envelope differs.
    const reply = await notify(
      fx.sim,
      notificationFor(pack, fx.account, {
        transFrom: { partyInfo: { partyId: fx.account.partyId }, routingInfo: { routingId: fx.account.routingId } },
      }),
    );
    expect(reply.json.statusCode).toBe(0);
    await written;
    expect(readProcessResult(await client.read(`out/${pack.commonName}-ProcessResult`)).infos.map((i) => i.code)).toEqual(['E9002']);
  });

  it('keeps every accepted file byte for byte under its data folder, and records every decision in sim.sqlite', async () => {
    const invoices = numbers(2);
    const pack = fx.pack(invoices.map((n) => f0401Xml({ number: n })));
    await send(pack);
    const kept = join(fx.dataDir, 'received', fx.account.transportId, pack.commonName);
    expect(readFileSync(kept).equals(pack.file)).toBe(true);
    expect(existsSync(join(fx.dataDir, 'sftp', fx.account.transportId, 'in', pack.commonName))).toBe(false);

    const db = new Database(join(fx.dataDir, 'sim.sqlite'), { readonly: true });
    try {
      const rows = db
        .prepare(`SELECT m.number, m.decision, m.code FROM messages m JOIN packs p ON p.id = m.pack_id WHERE p.filename = ? ORDER BY m.seq`)
        .all(pack.commonName);
      expect(rows).toEqual(invoices.map((number) => ({ number, decision: 'accepted', code: '0000' })));
      const secrets = db
        .prepare(`SELECT COUNT(*) AS n FROM notifications WHERE code LIKE ? OR filename LIKE ?`)
        .get(`%${fx.account.password}%`, `%${fx.account.password}%`);
      expect(secrets).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    // The write-ahead log exists only between checkpoints; the database itself always does.
    const written = ['sim.sqlite', 'sim.sqlite-wal'].map((file) => join(fx.dataDir, file)).filter((path) => existsSync(path));
    expect(written).toContain(join(fx.dataDir, 'sim.sqlite'));
    for (const path of written) expect(readFileSync(path).includes(Buffer.from(fx.account.password))).toBe(false);
  });
});

describe('a stricter platform than the daemon', () => {
  /** A B2C invoice written tax-included (TaxAmount 0): the daemon's validator only warns about it by default. */
  function taxIncludedB2c(number: string): string {
    return f0401Xml({ number })
      .replace(/<TaxAmount>\d+<\/TaxAmount>/, '<TaxAmount>0</TaxAmount>')
      .replace(
        /<TotalAmount>\d+<\/TotalAmount>/,
        (_m) => `<TotalAmount>${/<SalesAmount>(\d+)</.exec(f0401Xml({ number }))![1]}</TotalAmount>`,
      );
  }

  it('refuses tax-included B2C invoices with validation.b2cTaxIncluded "reject", which the default accepts', async () => {
    const strict = await startFixture({ validation: { b2cTaxIncluded: 'reject' } }, fx.identity);
    const strictClient = await SftpTestClient.connect(strict.sim, strict.account.transportId, strict.account.password);
    try {
      const number = invoiceNumber(1, 'TX');
      expect((await resultValidator()).validate(Buffer.from(taxIncludedB2c(number))).warnings.map((w) => w.code)).toEqual([
        'b2c-tax-included',
      ]);
      const pack = strict.pack([taxIncludedB2c(number)]);
      await strictClient.upload(`in/${pack.commonName}`, pack.file);
      const written = resultsWritten(strict.sim, pack.commonName);
      expect((await notify(strict.sim, notificationFor(pack, strict.account))).json.statusCode).toBe(0);
      await written;
      const infos = readProcessResult(await strictClient.read(`out/${pack.commonName}-ProcessResult`)).infos;
      expect(infos).toEqual([{ code: 'E9101', description: expect.any(String), parameters: ['InvoiceNumber', number, '1', 'amount-tax'] }]);

      // The lenient platform (the fixture of this file) accepts the same invoice.
      const lenient = await send(fx.pack([taxIncludedB2c(invoiceNumber(2, 'TX'))]));
      expect(readProcessResult(lenient.process).infos.map((i) => i.code)).toEqual(['0000']);
    } finally {
      strictClient.end();
      await strict.close();
    }
  });
});
