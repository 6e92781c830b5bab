import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  boolean,
  contextTag,
  integer,
  nullValue,
  octetString,
  oid,
  sequence,
  set,
  tlv,
  utf8String,
  x509Time,
} from './asn1Writer.js';
import { buildPfx } from './buildPfx.js';
import { OID } from './oids.js';

export interface TestCertificateOptions {
  commonName: string;
  /** The .pfx password. */
  password: string;
  /** Validity in days from `now`; 365 when not given. */
  days?: number;
  /** RSA-2048 (the default, like merchants' certificates) or EC P-256. */
  keyType?: 'rsa' | 'ec';
  /** The start of validity; the current time when not given. */
  now?: Date;
}

export interface TestCertificate {
  pfx: Buffer;
  certificatePem: string;
  certificateDer: Buffer;
}

/**
 * Makes a self-signed certificate and its password-protected .pfx, for `turnkey init` and for
 * tests: nothing here is a real merchant certificate, and no key is ever written to the repository.
 * Keys come from node:crypto (fast); the certificate is assembled as DER and signed by node:crypto;
 * the PKCS#12 is written with node-forge using 3DES, which OpenSSL 3 reads without the legacy provider.
 */
export function generateTestCertificate(options: TestCertificateOptions): TestCertificate {
  const { commonName, password, days = 365, keyType = 'rsa', now = new Date() } = options;
  if (!(days > 0)) throw new RangeError(`days must be positive, not ${days}`);
  const { privateKey, publicKey } =
    keyType === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });

  const name = sequence(set(sequence(oid(OID.commonName), utf8String(commonName))));
  const signatureAlgorithm =
    keyType === 'ec' ? sequence(oid(OID.ecdsaWithSHA256)) : sequence(oid(OID.sha256WithRSAEncryption), nullValue());
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40; // positive, and no leading zero byte to strip
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * 86_400_000);

  const tbsCertificate = sequence(
    tlv(contextTag(0), integer(2)), // v3
    integer(serial),
    signatureAlgorithm,
    name,
    sequence(x509Time(notBefore), x509Time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(contextTag(3), sequence(...endEntityExtensions())),
  );
  const certificateDer = sequence(tbsCertificate, signatureAlgorithm, bitString(signatureOver(tbsCertificate, privateKey)));
  const pfx = buildPfx(privateKey.export({ type: 'pkcs8', format: 'der' }), certificateDer, password);
  return { pfx, certificatePem: toPem(certificateDer), certificateDer };
}

/** A signing certificate: not a CA; digitalSignature and nonRepudiation. Both critical. */
function endEntityExtensions(): Buffer[] {
  const critical = boolean(true);
  return [
    sequence(oid(OID.basicConstraints), critical, octetString(sequence())),
    // KeyUsage BIT STRING: bits 0 and 1 set (0b11000000), 6 unused bits.
    sequence(oid(OID.keyUsage), critical, octetString(bitString(Buffer.from([0xc0]), 6))),
  ];
}

function signatureOver(tbsCertificate: Buffer, privateKey: KeyObject): Buffer {
  return sign('sha256', tbsCertificate, privateKey);
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
