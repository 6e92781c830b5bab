import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTestCertificate, loadPfx, PfxError, type TestCertificate } from '../../src/protocol/cms/index.js';
import { makeTempDir, openssl } from '../helpers/openssl.js';

const PASSWORD = 'Pfx-Test-Only-9876';
/** `openssl pkcs12 -legacy` needs OpenSSL 3's legacy provider (legacy.so); without it those cases are skipped. */
const hasLegacyProvider = openssl(['list', '-providers', '-provider', 'legacy']).status === 0;
const temp = makeTempDir('pfx');
let generated: TestCertificate;

beforeAll(() => {
  generated = generateTestCertificate({ commonName: 'Test Merchant 87654321', password: PASSWORD, days: 30 });
});
afterAll(() => temp.remove());

/** The key and certificate of `generated`, as PEM files for openssl. */
function pemFiles(): { key: string; cert: string } {
  const loaded = loadPfx(generated.pfx, PASSWORD);
  writeFileSync(temp.path('key.pem'), loaded.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(temp.path('cert.pem'), generated.certificatePem);
  return { key: temp.path('key.pem'), cert: temp.path('cert.pem') };
}

function opensslExport(name: string, extraArgs: string[], password = PASSWORD): Buffer {
  const { key, cert } = pemFiles();
  const out = temp.path(name);
  const result = openssl(['pkcs12', '-export', ...extraArgs, '-inkey', key, '-in', cert, '-passout', `pass:${password}`, '-out', out]);
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(out);
}

function expectPfxError(run: () => unknown, code: PfxError['code']): PfxError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PfxError);
    expect((error as PfxError).code).toBe(code);
    return error as PfxError;
  }
  throw new Error(`expected ${code}`);
}

describe('generateTestCertificate', () => {
  it('makes a self-signed RSA-2048 certificate with the given name and validity', () => {
    const certificate = new X509Certificate(generated.certificateDer);
    expect(certificate.subject).toBe('CN=Test Merchant 87654321');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const days = (new Date(certificate.validTo).getTime() - new Date(certificate.validFrom).getTime()) / 86_400_000;
    expect(days).toBe(30);
    expect(generated.certificatePem).toBe(certificate.toString());
  });

  it('writes a .pfx that OpenSSL 3 opens without the legacy provider', () => {
    writeFileSync(temp.path('ours.pfx'), generated.pfx);
    const result = openssl(['pkcs12', '-in', temp.path('ours.pfx'), '-passin', `pass:${PASSWORD}`, '-nodes', '-info']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain('pbeWithSHA1And3-KeyTripleDES-CBC');
    expect(result.stdout).toContain('BEGIN PRIVATE KEY');
    expect(result.stdout).toContain('BEGIN CERTIFICATE');
  });

  it('makes an EC P-256 certificate on request', () => {
    const ec = generateTestCertificate({ commonName: 'EC Test', password: PASSWORD, keyType: 'ec' });
    const certificate = new X509Certificate(ec.certificateDer);
    expect(certificate.publicKey.asymmetricKeyType).toBe('ec');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    const loaded = loadPfx(ec.pfx, PASSWORD);
    expect(loaded.keyType).toBe('ec');
    expect(loaded.certificate.der.equals(ec.certificateDer)).toBe(true);
  });
});

describe('loadPfx', () => {
  it('opens our generated .pfx and describes its certificate', () => {
    const loaded = loadPfx(generated.pfx, PASSWORD);
    const certificate = new X509Certificate(generated.certificateDer);
    expect(loaded.keyType).toBe('rsa');
    expect(loaded.privateKey.type).toBe('private');
    expect(certificate.checkPrivateKey(loaded.privateKey)).toBe(true);
    expect(loaded.certificate.der.equals(generated.certificateDer)).toBe(true);
    expect(loaded.certificate.pem).toBe(generated.certificatePem);
    expect(loaded.subject).toBe('CN=Test Merchant 87654321');
    expect(loaded.serial).toBe(certificate.serialNumber.toUpperCase());
    expect(loaded.fingerprint).toBe(certificate.fingerprint256);
    expect(loaded.notBefore.getTime()).toBe(new Date(certificate.validFrom).getTime());
    expect(loaded.notAfter.getTime()).toBe(new Date(certificate.validTo).getTime());
  });

  it.skipIf(!hasLegacyProvider)(
    'opens a legacy .pfx (RC2-40 certificates, 3DES key) that OpenSSL 3 refuses by default (skipped without the OpenSSL legacy provider)',
    () => {
      const pfx = opensslExport('legacy.pfx', ['-legacy']);
      // Without the legacy provider OpenSSL 3 cannot read it; node-forge can.
      const refused = openssl(['pkcs12', '-in', temp.path('legacy.pfx'), '-passin', `pass:${PASSWORD}`, '-nodes', '-noout']);
      expect(refused.status).not.toBe(0);
      const info = openssl([
        'pkcs12',
        '-legacy',
        '-in',
        temp.path('legacy.pfx'),
        '-passin',
        `pass:${PASSWORD}`,
        '-nodes',
        '-info',
        '-noout',
      ]);
      expect(info.stderr).toContain('pbeWithSHA1And40BitRC2-CBC');
      expect(info.stderr).toContain('pbeWithSHA1And3-KeyTripleDES-CBC');

      const loaded = loadPfx(pfx, PASSWORD);
      expect(loaded.certificate.der.equals(generated.certificateDer)).toBe(true);
      expect(new X509Certificate(loaded.certificate.der).checkPrivateKey(loaded.privateKey)).toBe(true);
    },
  );

  it('opens the PBES2/AES-256 .pfx that OpenSSL 3 writes by default', () => {
    const loaded = loadPfx(opensslExport('modern.pfx', []), PASSWORD);
    expect(loaded.certificate.der.equals(generated.certificateDer)).toBe(true);
  });

  it('opens files protected by a non-ASCII password: ours, OpenSSL 3 default (PBES2) and legacy', () => {
    const password = '發票憑證密碼-ü';
    const ours = generateTestCertificate({ commonName: 'Non-ASCII', password });
    expect(loadPfx(ours.pfx, password).subject).toBe('CN=Non-ASCII');
    expect(loadPfx(opensslExport('unicode-modern.pfx', [], password), password).certificate.der.equals(generated.certificateDer)).toBe(
      true,
    );
    if (hasLegacyProvider) {
      expect(
        loadPfx(opensslExport('unicode-legacy.pfx', ['-legacy'], password), password).certificate.der.equals(generated.certificateDer),
      ).toBe(true);
    }
    expectPfxError(() => loadPfx(ours.pfx, '發票憑證密碼-u'), 'pfx-password');
  });

  it('refuses a wrong password with pfx-password, never echoing the password', () => {
    const wrong = 'Wrong-Secret-1234';
    const files = [generated.pfx, opensslExport('modern-wrong.pfx', [])];
    if (hasLegacyProvider) files.push(opensslExport('legacy-wrong.pfx', ['-legacy']));
    for (const pfx of files) {
      const error = expectPfxError(() => loadPfx(pfx, wrong), 'pfx-password');
      expect(error.message).not.toContain(wrong);
      expect(error.message).not.toContain(PASSWORD);
      expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(wrong);
    }
  });

  it('refuses a file that is not PKCS#12 with pfx-content', () => {
    expectPfxError(() => loadPfx(Buffer.from('definitely not a pfx'), PASSWORD), 'pfx-content');
  });

  it('refuses a .pfx without a private key with pfx-content', () => {
    expectPfxError(() => loadPfx(opensslExport('nokeys.pfx', ['-nokeys']), PASSWORD), 'pfx-content');
  });
});
