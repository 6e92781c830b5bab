import { constants, createHash, verify, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describeCertificate, type CertificateFacts } from './certificateFacts.js';
import { SignatureVerificationError } from './SignatureVerificationError.js';

// Deliberately independent of the signer: its own OIDs, pkijs/asn1js to read, node:crypto to check.
const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const ID_DATA = '1.2.840.113549.1.7.1';
const ID_SHA256 = '2.16.840.1.101.3.4.2.1';
const ID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const ID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
/** OpenSSL writes rsaEncryption here; Turnkey writes sha256WithRSAEncryption. Both mean PKCS#1 v1.5. */
const RSA_SIGNATURE_ALGORITHMS = new Set(['1.2.840.113549.1.1.1', '1.2.840.113549.1.1.11']);
const EC_SIGNATURE_ALGORITHMS = new Set(['1.2.840.10045.4.3.2', '1.2.840.10045.2.1']);

export interface VerifyOptions {
  /**
   * The certificates registered on the platform (DER bytes or PEM text). When given, the signer's
   * certificate must be one of them, byte for byte.
   */
  trustedCertificates?: ReadonlyArray<Uint8Array | string>;
}

export interface VerifiedEnvelope {
  /** The signed content: the envelope bytes. */
  content: Buffer;
  /** The certificate that signed. */
  signer: CertificateFacts;
}

/**
 * Checks a CMS SignedData the way the platform does and returns the content and the signer.
 * Reads BER (indefinite lengths, constructed OCTET STRINGs) and DER alike. Requires exactly one
 * signer, named by issuer and serial number, whose certificate is in the message; SHA-256; RSA
 * PKCS#1 v1.5 or ECDSA. Signed attributes, which Turnkey never writes, are accepted when their
 * content type and message digest check out. Every failure is a `SignatureVerificationError`
 * (`E0004`) with a reason.
 */
export function verifySignedEnvelope(cms: Uint8Array, options: VerifyOptions = {}): VerifiedEnvelope {
  const { signedData, certificateDers } = readSignedData(cms);
  const content = encapsulatedContent(signedData);

  if (signedData.signerInfos.length !== 1) {
    throw new SignatureVerificationError(`expected exactly one signer, found ${signedData.signerInfos.length}`);
  }
  const signerInfo = signedData.signerInfos[0]!;
  const digestAlgorithm = signerInfo.digestAlgorithm.algorithmId;
  if (digestAlgorithm !== ID_SHA256) {
    throw new SignatureVerificationError(`digest algorithm ${digestAlgorithm} is not SHA-256`);
  }
  const signerDer = findSignerCertificate(signerInfo, certificateDers);
  const signedBytes = bytesUnderSignature(signerInfo, content);
  const signature = Buffer.from(signerInfo.signature.valueBlock.valueHexView);
  let signer: CertificateFacts;
  let publicKey: KeyObject;
  try {
    signer = describeCertificate(signerDer);
    publicKey = new X509Certificate(signerDer).publicKey;
  } catch (cause) {
    throw new SignatureVerificationError("the signer's certificate cannot be read", { cause });
  }
  checkSignature(signerInfo.signatureAlgorithm.algorithmId, publicKey, signedBytes, signature);

  if (options.trustedCertificates !== undefined) {
    const trusted = options.trustedCertificates.map(toDer);
    if (!trusted.some((der) => der.equals(signerDer))) {
      throw new SignatureVerificationError(
        `the signer's certificate is not registered (subject ${signer.subject}, serial ${signer.serial}, SHA-256 fingerprint ` +
          `${signer.fingerprint})`,
      );
    }
  }
  return { content, signer };
}

function readSignedData(cms: Uint8Array): { signedData: pkijs.SignedData; certificateDers: Buffer[] } {
  const bytes = new Uint8Array(cms);
  const parsed = asn1js.fromBER(bytes);
  if (parsed.offset === -1 || parsed.result.error) {
    throw new SignatureVerificationError(`not a BER/DER structure (${parsed.result.error || 'unreadable'})`);
  }
  if (parsed.offset !== bytes.length) {
    throw new SignatureVerificationError(`${bytes.length - parsed.offset} extra bytes after the CMS structure`);
  }
  let contentInfo: pkijs.ContentInfo;
  let signedData: pkijs.SignedData;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
  } catch (cause) {
    throw new SignatureVerificationError('not a CMS ContentInfo', { cause });
  }
  if (contentInfo.contentType !== ID_SIGNED_DATA) {
    throw new SignatureVerificationError(`content type ${contentInfo.contentType} is not SignedData`);
  }
  try {
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (cause) {
    throw new SignatureVerificationError('unreadable SignedData', { cause });
  }
  return { signedData, certificateDers: rawCertificates(contentInfo.content) };
}

/**
 * The certificates exactly as they were encoded, taken from the asn1js tree: pkijs keeps decoded
 * objects, and re-encoding them could change the bytes compared against the registered ones.
 */
function rawCertificates(signedDataNode: unknown): Buffer[] {
  const fields = (signedDataNode as asn1js.Sequence).valueBlock.value;
  const certificateSet = fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 0 && f.idBlock.isConstructed);
  if (!certificateSet) return [];
  return (certificateSet as asn1js.Constructed).valueBlock.value
    .filter((item) => item.idBlock.tagClass === 1 && item.idBlock.tagNumber === 16) // X.509 certificates (SEQUENCE)
    .map((item) => Buffer.from(item.valueBeforeDecodeView));
}

function encapsulatedContent(signedData: pkijs.SignedData): Buffer {
  const { eContentType, eContent } = signedData.encapContentInfo;
  if (eContentType !== ID_DATA) throw new SignatureVerificationError(`encapsulated content type ${eContentType} is not data`);
  if (eContent === undefined) throw new SignatureVerificationError('the content is not attached (detached signature)');
  return octetStringBytes(eContent);
}

/** The bytes of an OCTET STRING, joining the pieces of a BER constructed one. */
function octetStringBytes(node: asn1js.BaseBlock): Buffer {
  if (!(node instanceof asn1js.OctetString)) throw new SignatureVerificationError('the content is not an OCTET STRING');
  if (!node.valueBlock.isConstructed) return Buffer.from(node.valueBlock.valueHexView);
  return Buffer.concat(node.valueBlock.value.map((piece) => octetStringBytes(piece)));
}

function findSignerCertificate(signerInfo: pkijs.SignerInfo, certificateDers: Buffer[]): Buffer {
  if (!(signerInfo.sid instanceof pkijs.IssuerAndSerialNumber)) {
    throw new SignatureVerificationError('the signer is not identified by issuer and serial number');
  }
  const sid = signerInfo.sid;
  const wantedSerial = Buffer.from(sid.serialNumber.valueBlock.valueHexView);
  for (const der of certificateDers) {
    let certificate: pkijs.Certificate;
    try {
      certificate = pkijs.Certificate.fromBER(der);
    } catch {
      continue; // an unreadable extra certificate cannot be the signer's
    }
    const serial = Buffer.from(certificate.serialNumber.valueBlock.valueHexView);
    if (serial.equals(wantedSerial) && certificate.issuer.isEqual(sid.issuer)) return der;
  }
  throw new SignatureVerificationError(
    `the signer's certificate (serial ${wantedSerial.toString('hex').toUpperCase()}) is not in the message`,
  );
}

/** With no signed attributes the signature covers the content; with them, their DER SET OF. */
function bytesUnderSignature(signerInfo: pkijs.SignerInfo, content: Buffer): Buffer {
  const signedAttrs = signerInfo.signedAttrs;
  if (signedAttrs === undefined) return content;

  const attribute = (type: string) => signedAttrs.attributes.find((a) => a.type === type)?.values[0];
  const contentType = attribute(ID_CONTENT_TYPE);
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== ID_DATA) {
    throw new SignatureVerificationError('the signed content-type attribute is missing or is not data');
  }
  const messageDigest = attribute(ID_MESSAGE_DIGEST);
  const digest = createHash('sha256').update(content).digest();
  if (!(messageDigest instanceof asn1js.OctetString) || !digest.equals(Buffer.from(messageDigest.valueBlock.valueHexView))) {
    throw new SignatureVerificationError('the content does not match the signed message digest');
  }
  // pkijs keeps the attributes as received, with the [0] tag already turned into SET OF (0x31).
  return Buffer.from(signedAttrs.encodedValue);
}

function checkSignature(algorithm: string, publicKey: KeyObject, data: Buffer, signature: Buffer): void {
  const keyType = publicKey.asymmetricKeyType;
  let valid: boolean;
  try {
    if (RSA_SIGNATURE_ALGORITHMS.has(algorithm) && keyType === 'rsa') {
      valid = verify('sha256', data, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    } else if (EC_SIGNATURE_ALGORITHMS.has(algorithm) && keyType === 'ec') {
      valid = verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, signature);
    } else {
      throw new SignatureVerificationError(`signature algorithm ${algorithm} does not fit the certificate's ${keyType ?? 'unknown'} key`);
    }
  } catch (cause) {
    if (cause instanceof SignatureVerificationError) throw cause;
    throw new SignatureVerificationError('the signature could not be checked', { cause });
  }
  if (!valid) throw new SignatureVerificationError('the signature does not match the content');
}

function toDer(certificate: Uint8Array | string): Buffer {
  if (typeof certificate !== 'string') return Buffer.from(certificate);
  return Buffer.from(new X509Certificate(certificate).raw);
}
