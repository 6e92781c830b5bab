import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { f0401Xml, invoiceNumber } from '../../src/mig/F0401Factory.js';
import { basicAuth, notificationFor, notify } from './helpers/gateway.js';
import type { BuiltPack } from './helpers/packs.js';
import { SftpTestClient } from './helpers/sftpClient.js';
import { resultsWritten, startFixture, type SimFixture } from './helpers/simFixture.js';

let fx: SimFixture;
let client: SftpTestClient;
let next = 1;

beforeAll(async () => {
  fx = await startFixture();
  client = await SftpTestClient.connect(fx.sim, fx.account.transportId, fx.account.password);
});
afterAll(async () => {
  client?.end();
  await fx?.close();
});

async function uploaded(count = 1, options: { zip?: boolean } = {}): Promise<BuiltPack> {
  const pack = fx.pack(
    Array.from({ length: count }, () => f0401Xml({ number: invoiceNumber(next++, 'GW') })),
    options,
  );
  await client.upload(`in/${pack.commonName}`, pack.file);
  return pack;
}

function refusal(reply: Awaited<ReturnType<typeof notify>>) {
  return {
    status: reply.status,
    statusCode: reply.json.statusCode,
    code: reply.json.statusDetail[0]?.code,
    parameter: reply.json.statusDetail[0]?.parameter,
  };
}

describe('the gateway refuses callers it cannot authenticate', () => {
  it('answers 401 with no Basic credentials, and with a wrong password', async () => {
    const body = notificationFor(await uploaded(), fx.account);
    const none = await notify(fx.sim, body, { authorization: null });
    expect(refusal(none)).toMatchObject({ status: 401, statusCode: 401, code: 'auth-failed' });
    expect(none.headers['www-authenticate']).toMatch(/^Basic /);
    const wrong = await notify(fx.sim, body, { authorization: basicAuth(fx.account.transportId, 'not-the-password') });
    expect(refusal(wrong)).toMatchObject({ status: 401, code: 'auth-failed' });
    expect(wrong.text).not.toContain('not-the-password');
    const unknown = await notify(fx.sim, body, { authorization: basicAuth('NOBODY', fx.account.password) });
    expect(refusal(unknown)).toMatchObject({ status: 401, code: 'auth-failed' });
  });

  it('checks the body credentials too: they must be the Basic ones', async () => {
    const pack = await uploaded();
    const reply = await notify(fx.sim, notificationFor(pack, fx.account, { loginPassword: 'something-else' }), {
      authorization: basicAuth(fx.account.transportId, fx.account.password),
    });
    expect(refusal(reply)).toMatchObject({ status: 200, statusCode: 401, code: 'login-mismatch' });
    expect(reply.text).not.toContain('something-else');
    expect(reply.text).not.toContain(fx.account.password);
  });
});

describe('the gateway checks every field of the body', () => {
  const cases: Array<[string, Record<string, unknown> | ((body: Record<string, unknown>) => Record<string, unknown>), string, string]> = [
    [
      'a missing key',
      (b) => Object.fromEntries(Object.entries(b).filter(([k]) => k !== 'turnkeyVersion')),
      'body-invalid',
      'turnkeyVersion',
    ],
    ['an unknown key', { extra: 1 }, 'body-invalid', 'extra'],
    ['quantity as a string', { quantity: '1' }, 'field-invalid', 'quantity'],
    ['quantity over 1,000', { quantity: 1001 }, 'field-invalid', 'quantity'],
    ['size not an int32', { size: 2 ** 31 }, 'field-invalid', 'size'],
    ['zip as a number', { zip: 0 }, 'field-invalid', 'zip'],
    ['a negative retry', { retry: -1 }, 'field-invalid', 'retry'],
    ['retry with a fraction', { retry: 0.5 }, 'field-invalid', 'retry'],
    ['an unknown serviceType', { serviceType: 'X' }, 'field-invalid', 'serviceType'],
    ['serviceType E for F0401', { serviceType: 'E' }, 'field-invalid', 'serviceType'],
    ['another action for F0401', { action: 'A0401' }, 'field-invalid', 'action'],
    ['an empty apiVersion', { apiVersion: '' }, 'field-invalid', 'apiVersion'],
    ['another MIG version', { migVersion: '3.2' }, 'field-invalid', 'migVersion'],
    ['transFrom without routingInfo', { transFrom: { partyInfo: { partyId: 'x' } } }, 'field-invalid', 'transFrom'],
    [
      'a null description',
      { transTo: { partyInfo: { partyId: '0000000000', description: null }, routingInfo: { routingId: '0000000000' } } },
      'field-invalid',
      'transTo',
    ],
    ['a filename that is not a common name', { filename: '../../etc/passwd' }, 'filename-invalid', 'filename'],
    ["a messageType other than the file name's", { messageType: 'F0501' }, 'field-invalid', 'messageType'],
    [
      'transFrom of another merchant',
      { transFrom: { partyInfo: { partyId: '12345675' }, routingInfo: { routingId: '12345675' } } },
      'routing-mismatch',
      'transFrom',
    ],
  ];

  it.each(cases)('refuses %s', async (_label, change, code, parameter) => {
    const pack = await uploaded();
    const base = notificationFor(pack, fx.account);
    const body = typeof change === 'function' ? change(base) : { ...base, ...change };
    const reply = await notify(fx.sim, body, { authorization: basicAuth(fx.account.transportId, fx.account.password) });
    expect(reply.json.statusCode).not.toBe(0);
    expect(refusal(reply)).toMatchObject({ status: 200, code });
    expect(reply.json.statusDetail[0]!.parameter).toContain(parameter);
    expect(typeof reply.json.statusDetail[0]!.description).toBe('string');
  });

  it('refuses a body that is not JSON, or not sent as JSON', async () => {
    const auth = basicAuth(fx.account.transportId, fx.account.password);
    expect(refusal(await notify(fx.sim, '{"loginId":', { authorization: auth }))).toMatchObject({ code: 'body-invalid', statusCode: 400 });
    const body = notificationFor(await uploaded(), fx.account);
    expect(refusal(await notify(fx.sim, body, { contentType: 'text/plain' }))).toMatchObject({ code: 'body-invalid' });
  });

  it('answers 405 to a GET of the notification path and 404 elsewhere', async () => {
    const get = await request(`${fx.sim.gateway.url}/pfs001i/uploadInvoiceMessage`);
    expect(get.statusCode).toBe(405);
    await get.body.dump();
    const elsewhere = await request(`${fx.sim.gateway.origin}/nothing-here`);
    expect(elsewhere.statusCode).toBe(404);
    await elsewhere.body.dump();
  });
});

describe('the gateway checks the notification against the uploaded file', () => {
  it('refuses a file that is not in in/', async () => {
    const pack = fx.pack([f0401Xml({ number: invoiceNumber(next++, 'GW') })]);
    const reply = await notify(fx.sim, notificationFor(pack, fx.account));
    expect(refusal(reply)).toMatchObject({ status: 200, statusCode: 404, code: 'file-not-found', parameter: ['filename'] });
  });

  it('refuses a size that is not the armored length, and a quantity that is not the envelope count', async () => {
    const pack = await uploaded(2);
    expect(refusal(await notify(fx.sim, notificationFor(pack, fx.account, { size: pack.armored.length + 1 })))).toMatchObject({
      code: 'size-mismatch',
      parameter: ['size', String(pack.armored.length)],
    });
    expect(refusal(await notify(fx.sim, notificationFor(pack, fx.account, { quantity: 3 })))).toMatchObject({
      code: 'quantity-mismatch',
      parameter: ['quantity', '2'],
    });
    // Refusals leave the file in in/: the corrected notification is accepted.
    expect((await notify(fx.sim, notificationFor(pack, fx.account))).json.statusCode).toBe(0);
  });

  it('refuses a zip flag that does not describe the file, either way', async () => {
    const plain = await uploaded();
    expect(refusal(await notify(fx.sim, notificationFor(plain, fx.account, { zip: '1' })))).toMatchObject({ code: 'zip-mismatch' });
    const zipped = await uploaded(1, { zip: true });
    expect(refusal(await notify(fx.sim, notificationFor(zipped, fx.account, { zip: '0' })))).toMatchObject({ code: 'zip-mismatch' });
    expect((await notify(fx.sim, notificationFor(zipped, fx.account))).json.statusCode).toBe(0);
  });

  it('accepts a re-notification with retry > 0 again without processing the pack twice, and refuses a repeat with retry 0', async () => {
    const pack = await uploaded(2);
    const written = resultsWritten(fx.sim, pack.commonName);
    const first = await notify(fx.sim, notificationFor(pack, fx.account));
    expect(first.json).toMatchObject({ statusCode: 0, statusDetail: [{ code: 'accepted', parameter: [pack.commonName] }] });
    await written;

    const retry = await notify(fx.sim, notificationFor(pack, fx.account, { retry: 1 }));
    expect(retry.json).toMatchObject({ statusCode: 0, statusDetail: [{ code: 'already-accepted' }] });
    const repeat = await notify(fx.sim, notificationFor(pack, fx.account, { retry: 0 }));
    expect(refusal(repeat)).toMatchObject({ statusCode: 409, code: 'duplicate-notification' });

    // The same file uploaded again and re-notified: still once.
    await client.upload(`in/${pack.commonName}`, pack.file);
    expect((await notify(fx.sim, notificationFor(pack, fx.account, { retry: 2 }))).json.statusCode).toBe(0);
    expect(await client.names('out')).toEqual(expect.arrayContaining([`${pack.commonName}-ProcessResult`]));
    await fx.sim.idle();
    const numbers = pack.envelope.toString('utf8').match(/GW\d{8}/g)!;
    for (const number of numbers) {
      expect(fx.sim.stats({ invoice: number }).invoices).toEqual([
        { messageType: 'F0401', number, accepted: 1, rejected: 0, duplicate: 0 },
      ]);
    }

    // Other bytes under the name of an accepted file: a conflict.
    await client.upload(`in/${pack.commonName}`, Buffer.concat([pack.file, Buffer.from('x')]));
    expect(refusal(await notify(fx.sim, notificationFor(pack, fx.account, { retry: 3 })))).toMatchObject({ code: 'file-conflict' });
  });
});
