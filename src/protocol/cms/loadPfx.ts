import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { describeCertificate } from './certificateFacts.js';
import { PfxError } from './PfxError.js';
import { readPfxCertificates } from './readPfxCertificates.js';

/** The signing identity inside a software certificate. */
export interface LoadedPfx {
  privateKey: KeyObject;
  keyType: 'rsa' | 'ec';
  /** The certificate that belongs to the key (the leaf; any chain certificates are left out). */
  certificate: { der: Buffer; pem: string };
  subject: string;
  /** Hexadecimal, upper case. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the certificate DER, `AB:CD:...`. */
  fingerprint: string;
}

/**
 * Opens a PKCS#12 (.pfx) file with node-forge, which still reads the legacy encryptions
 * (RC2-40, 3DES) that OpenSSL 3 refuses by default and that Taiwanese certificates often use,
 * as well as the PBES2/AES files OpenSSL 3 writes. Picks the private key and the certificate
 * whose public key matches it.
 */
export function loadPfx(pfx: Uint8Array, password: string): LoadedPfx {
  let pfxAsn1: forge.asn1.Asn1;
  try {
    pfxAsn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(pfx).toString('binary')), false);
  } catch (cause) {
    throw new PfxError('pfx-content', 'the file is not a PKCS#12 (.pfx) file', { cause });
  }
  if (!looksLikePfx(pfxAsn1)) throw new PfxError('pfx-content', 'the file is not a PKCS#12 (.pfx) file');
  // Without a MAC a wrong password shows only as garbage once decrypted, so it cannot be told from damage.
  const hasMac = Array.isArray(pfxAsn1.value) && pfxAsn1.value.length > 2;

  const { p12, decryptionPassword } = openPfx(pfxAsn1, password, hasMac);

  const keys = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ].map(privateKeyOf);
  let certificates: Buffer[];
  try {
    certificates = readPfxCertificates(pfxAsn1, decryptionPassword);
  } catch (cause) {
    throw new PfxError('pfx-content', 'the certificates in the .pfx file cannot be read', { cause });
  }
  if (keys.length === 0) throw new PfxError('pfx-content', 'the .pfx file holds no private key');
  if (certificates.length === 0) throw new PfxError('pfx-content', 'the .pfx file holds no certificate');

  for (const privateKey of keys) {
    const publicKeyDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    for (const der of certificates) {
      const certificatePublicKey = publicKeyOfCertificate(der);
      if (certificatePublicKey === null) continue;
      if (!certificatePublicKey.equals(publicKeyDer)) continue;
      const keyType = privateKey.asymmetricKeyType;
      if (keyType !== 'rsa' && keyType !== 'ec') {
        throw new PfxError('pfx-content', `the .pfx key is ${keyType ?? 'of an unknown type'}; only RSA and EC keys can sign`);
      }
      const facts = describeCertificate(der);
      return {
        privateKey,
        keyType,
        certificate: { der: facts.der, pem: facts.pem },
        subject: facts.subject,
        serial: facts.serial,
        notBefore: facts.notBefore,
        notAfter: facts.notAfter,
        fingerprint: facts.fingerprint,
      };
    }
  }
  throw new PfxError('pfx-content', 'no certificate in the .pfx file matches its private key');
}

/**
 * Opens the file with forge. forge checks the MAC with the password as a BMPString, right for any
 * password, but hands PBES2 (OpenSSL 3's default AES encryption) the password's UTF-16 code units
 * where PBES2 wants UTF-8 bytes. So a non-ASCII password that passed the MAC is tried once more as
 * UTF-8, the MAC already checked. Errors carry no cause: nothing of the password may travel with them.
 */
function openPfx(pfxAsn1: forge.asn1.Asn1, password: string, hasMac: boolean): { p12: forge.pkcs12.Pkcs12Pfx; decryptionPassword: string } {
  try {
    return { p12: forge.pkcs12.pkcs12FromAsn1(pfxAsn1, false, password), decryptionPassword: password };
  } catch (error) {
    const reason = error instanceof Error ? error.message : '';
    const macFailed = /MAC could not be verified/i.test(reason);
    // A password with characters beyond ASCII (control characters are ASCII too, and fine here).
    // eslint-disable-next-line no-control-regex
    if (hasMac && !macFailed && /[^\x00-\x7f]/.test(password)) {
      const utf8Password = forge.util.encodeUtf8(password);
      const withoutMac = { ...pfxAsn1, value: (pfxAsn1.value as forge.asn1.Asn1[]).slice(0, 2) };
      try {
        return { p12: forge.pkcs12.pkcs12FromAsn1(withoutMac, false, utf8Password), decryptionPassword: utf8Password };
      } catch {
        // fall through and report the first failure
      }
    }
    if (macFailed || /password/i.test(reason) || !hasMac) {
      throw new PfxError(
        'pfx-password',
        hasMac ? 'the password does not open the .pfx file' : 'the password does not open the .pfx file, or the file is damaged',
        {
          hint: 'check the certificate password (it is case-sensitive)',
        },
      );
    }
    throw new PfxError('pfx-content', `the .pfx file cannot be read: ${reason}`);
  }
}

/** PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }. */
function looksLikePfx(node: forge.asn1.Asn1): boolean {
  const { UNIVERSAL } = forge.asn1.Class;
  const { SEQUENCE, INTEGER } = forge.asn1.Type;
  if (node.tagClass !== UNIVERSAL || node.type !== SEQUENCE || !Array.isArray(node.value)) return false;
  const [version, authSafe] = node.value;
  return version?.tagClass === UNIVERSAL && version.type === INTEGER && authSafe?.tagClass === UNIVERSAL && authSafe.type === SEQUENCE;
}

/** forge decodes RSA keys; for others (EC) it hands back the PrivateKeyInfo ASN.1, which node reads. */
function privateKeyOf(bag: forge.pkcs12.Bag): KeyObject {
  try {
    if (bag.key) return createPrivateKey(forge.pki.privateKeyToPem(bag.key));
    if (bag.asn1) return createPrivateKey({ key: derOf(bag.asn1), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new PfxError('pfx-content', 'the private key in the .pfx file cannot be read', { cause });
  }
  throw new PfxError('pfx-content', 'a key bag in the .pfx file is empty');
}

function derOf(node: forge.asn1.Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
}

function publicKeyOfCertificate(der: Buffer): Buffer | null {
  try {
    return new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  } catch {
    return null; // an unreadable chain certificate is simply not the key's
  }
}
