import { X509Certificate } from 'node:crypto';

/** What the program shows and compares about a certificate. */
export interface CertificateFacts {
  der: Buffer;
  pem: string;
  /** One line, e.g. `C=TW, O=Example, CN=12345678`. */
  subject: string;
  issuer: string;
  /** Hexadecimal, upper case, as OpenSSL prints it. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the DER, `AB:CD:...` (upper-case hex pairs), as `openssl x509 -fingerprint -sha256` shows it. */
  fingerprint: string;
}

export function describeCertificate(der: Uint8Array): CertificateFacts {
  const certificate = new X509Certificate(der);
  return {
    der: Buffer.from(certificate.raw),
    pem: certificate.toString(),
    subject: oneLine(certificate.subject),
    issuer: oneLine(certificate.issuer),
    serial: certificate.serialNumber.toUpperCase(),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
    fingerprint: certificate.fingerprint256,
  };
}

/** Node writes one RDN per line; logs and messages want a single line. */
function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
