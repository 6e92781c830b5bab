import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armor } from '../../src/protocol/armor.js';
import {
  generateTestCertificate,
  loadPfx,
  SignatureVerificationError,
  signEnvelope,
  verifySignedEnvelope,
  type LoadedPfx,
} from '../../src/protocol/cms/index.js';
import { serializeEnvelope } from '../../src/protocol/envelope/index.js';
import { makeTempDir, openssl } from '../helpers/openssl.js';

const TURNKEY_FIRST_LINE = 'MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0B';
const PASSWORD = 'test-only-password';

const envelopeBytes = serializeEnvelope({
  routing: { from: { id: '12345678' }, fromVac: { id: '12345678' }, to: { id: '0000000000' }, toVac: { id: '0000000000' } },
  messageType: 'F0401',
  messages: ['<Invoice xmlns="urn:GEINV:eInvoiceMessage:F0401:4.1"><Main><InvoiceNumber>AB12345678</InvoiceNumber></Main></Invoice>'],
});

let rsa: LoadedPfx;
let ec: LoadedPfx;
const temp = makeTempDir('cms');

beforeAll(() => {
  rsa = loadPfx(generateTestCertificate({ commonName: 'Test Merchant 12345678', password: PASSWORD }).pfx, PASSWORD);
  ec = loadPfx(generateTestCertificate({ commonName: 'Test EC Merchant', password: PASSWORD, keyType: 'ec' }).pfx, PASSWORD);
});
afterAll(() => temp.remove());

/** `openssl cms -verify -binary -noverify`: the signature is checked, the (self-signed) chain is not. */
function opensslRecoversContent(cms: Buffer, name: string): Buffer {
  writeFileSync(temp.path(`${name}.cms`), cms);
  const result = openssl([
    'cms',
    '-verify',
    '-inform',
    'DER',
    '-binary',
    '-noverify',
    '-in',
    temp.path(`${name}.cms`),
    '-out',
    temp.path(`${name}.out`),
  ]);
  expect(result.stderr).toContain('Verification successful');
  expect(result.status).toBe(0);
  return readFileSync(temp.path(`${name}.out`));
}

function opensslSign(name: string, extraArgs: string[] = []): Buffer {
  writeFileSync(temp.path(`${name}.key`), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(temp.path(`${name}.crt`), rsa.certificate.pem);
  writeFileSync(temp.path(`${name}.xml`), envelopeBytes);
  const result = openssl([
    'cms',
    '-sign',
    '-binary',
    '-nodetach',
    '-md',
    'sha256',
    '-outform',
    'DER',
    ...extraArgs,
    '-signer',
    temp.path(`${name}.crt`),
    '-inkey',
    temp.path(`${name}.key`),
    '-in',
    temp.path(`${name}.xml`),
    '-out',
    temp.path(`${name}.cms`),
  ]);
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(temp.path(`${name}.cms`));
}

function expectE0004(run: () => unknown, reason: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect((error as SignatureVerificationError).code).toBe('E0004');
    expect((error as SignatureVerificationError).reason).toMatch(reason);
    return;
  }
  throw new Error('expected E0004');
}

describe('signEnvelope', () => {
  it('produces CMS that openssl verifies, giving back the exact envelope bytes', () => {
    const out = opensslRecoversContent(signEnvelope(envelopeBytes, rsa), 'rsa');
    expect(out.equals(envelopeBytes)).toBe(true);
  });

  it("writes Turnkey's BER profile: the armored file starts with the known first line", () => {
    const cms = signEnvelope(envelopeBytes, rsa);
    expect(armor(cms).toString('ascii').split('\n')[0]).toBe(TURNKEY_FIRST_LINE);
    // encapContentInfo: 30 80 06 09 <id-data> a0 80, then the content as one definite OCTET STRING.
    const encap = Buffer.from('308006092a864886f70d010701a080', 'hex');
    const at = cms.indexOf(encap);
    expect(at).toBeGreaterThan(0);
    const contentHeader = Buffer.concat([Buffer.from([0x04, 0x82]), Buffer.from([envelopeBytes.length >> 8, envelopeBytes.length & 0xff])]);
    const contentAt = at + encap.length;
    expect(cms.subarray(contentAt, contentAt + 4).equals(contentHeader)).toBe(true);
    const afterContent = contentAt + 4 + envelopeBytes.length;
    expect(cms.subarray(contentAt + 4, afterContent).equals(envelopeBytes)).toBe(true);
    // [0] and EncapsulatedContentInfo close, then the certificates [0] follows with a definite length.
    expect(cms.subarray(afterContent, afterContent + 6).toString('hex')).toBe('00000000a082');
    // SignedData, [0] and ContentInfo close at the very end.
    expect(cms.subarray(-6).toString('hex')).toBe('000000000000');
  });

  it('signs with no signed attributes, sha256WithRSAEncryption, and the leaf certificate only', () => {
    const cms = signEnvelope(envelopeBytes, rsa);
    writeFileSync(temp.path('print.cms'), cms);
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', temp.path('print.cms')]);
    expect(printed.status, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/signedAttrs:\s*<ABSENT>/);
    expect(printed.stdout).toMatch(/unsignedAttrs:\s*<ABSENT>/);
    expect(printed.stdout).toMatch(/crls:\s*<ABSENT>/);
    expect(printed.stdout).toContain('sha256WithRSAEncryption');
    expect(printed.stdout).toContain('version: 1');
    expect(printed.stdout.match(/ cert_info:/g)).toHaveLength(1);
  });

  it('signs with an EC key (ecdsa-with-SHA256), verified by openssl', () => {
    const cms = signEnvelope(envelopeBytes, ec);
    expect(armor(cms).toString('ascii').split('\n')[0]).toBe(TURNKEY_FIRST_LINE);
    expect(opensslRecoversContent(cms, 'ec').equals(envelopeBytes)).toBe(true);
    expect(verifySignedEnvelope(cms).content.equals(envelopeBytes)).toBe(true);
  });

  it('refuses a key that does not belong to the certificate', () => {
    expect(() => signEnvelope(envelopeBytes, { privateKey: ec.privateKey, certificate: rsa.certificate })).toThrow(
      expect.objectContaining({ code: 'sign-key' }),
    );
  });
});

describe('verifySignedEnvelope', () => {
  it('returns the content and the signer certificate of our own signature', () => {
    const verified = verifySignedEnvelope(signEnvelope(envelopeBytes, rsa));
    expect(verified.content.equals(envelopeBytes)).toBe(true);
    expect(verified.signer.der.equals(rsa.certificate.der)).toBe(true);
    expect(verified.signer.pem).toBe(rsa.certificate.pem);
    expect(verified.signer.fingerprint).toBe(rsa.fingerprint);
    expect(verified.signer.subject).toBe('CN=Test Merchant 12345678');
  });

  it('accepts the plain DER that openssl cms -sign -noattr produces', () => {
    const cms = opensslSign('noattr', ['-noattr']);
    expect(cms.subarray(0, 2).toString('hex')).not.toBe('3080'); // definite length: really DER
    const verified = verifySignedEnvelope(cms, { trustedCertificates: [rsa.certificate.pem] });
    expect(verified.content.equals(envelopeBytes)).toBe(true);
    expect(verified.signer.fingerprint).toBe(rsa.fingerprint);
  });

  it('accepts openssl output with signed attributes when the message digest matches', () => {
    const verified = verifySignedEnvelope(opensslSign('attrs'));
    expect(verified.content.equals(envelopeBytes)).toBe(true);
  });

  it('accepts BER with the content split into a constructed OCTET STRING (openssl -stream)', () => {
    const cms = opensslSign('stream', ['-noattr', '-stream']);
    expect(cms.subarray(0, 2).toString('hex')).toBe('3080');
    expect(verifySignedEnvelope(cms).content.equals(envelopeBytes)).toBe(true);
  });

  it('fails with E0004 when one byte of the content is changed', () => {
    const cms = signEnvelope(envelopeBytes, rsa);
    const at = cms.indexOf(Buffer.from('AB12345678'));
    cms[at + 9] = '9'.charCodeAt(0);
    expectE0004(() => verifySignedEnvelope(cms), /signature does not match/);
  });

  it('fails with E0004 when one byte of the content is changed under signed attributes', () => {
    const cms = opensslSign('tamper-attrs');
    const at = cms.indexOf(Buffer.from('AB12345678'));
    cms[at + 9] = '9'.charCodeAt(0);
    expectE0004(() => verifySignedEnvelope(cms), /message digest/);
  });

  it('fails with E0004 naming the certificate when the signer is not registered', () => {
    const cms = signEnvelope(envelopeBytes, rsa);
    expectE0004(
      () => verifySignedEnvelope(cms, { trustedCertificates: [ec.certificate.der] }),
      new RegExp(`not registered .*Test Merchant 12345678.*${rsa.fingerprint}`),
    );
    expect(verifySignedEnvelope(cms, { trustedCertificates: [ec.certificate.der, rsa.certificate.der] }).signer.subject).toBe(
      'CN=Test Merchant 12345678',
    );
  });

  it('fails with E0004 on bytes that are not CMS, and on trailing bytes', () => {
    expectE0004(() => verifySignedEnvelope(Buffer.from('not cms at all')), /./);
    expectE0004(() => verifySignedEnvelope(Buffer.concat([signEnvelope(envelopeBytes, rsa), Buffer.from([0])])), /extra bytes/);
  });

  it('fails with E0004 when the signature was made by another key', () => {
    // RSA-2048 signatures have the same length, so one can be put in place of the other.
    const other = loadPfx(generateTestCertificate({ commonName: 'Someone Else', password: PASSWORD }).pfx, PASSWORD);
    const genuine = signEnvelope(envelopeBytes, rsa);
    const forgedSignature = signEnvelope(envelopeBytes, other).subarray(-6 - 256, -6);
    const forged = Buffer.concat([genuine.subarray(0, -6 - 256), forgedSignature, genuine.subarray(-6)]);
    expect(verifySignedEnvelope(genuine).content.equals(envelopeBytes)).toBe(true);
    expectE0004(() => verifySignedEnvelope(forged), /signature does not match/);
  });
});
