import { constants, sign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { contextTag, indefinite, integer, nullValue, octetString, oid, sequence, set, tlv, TAG } from './asn1Writer.js';
import { OID } from './oids.js';
import { SigningError } from './SigningError.js';

/** The key and certificate that sign: what `loadPfx` returns fits. */
export interface SigningIdentity {
  privateKey: KeyObject;
  certificate: { der: Uint8Array };
}

/**
 * Signs the envelope bytes as Turnkey does: CMS SignedData v1 with the content attached (`data`),
 * SHA-256, the signer named by issuer and serial number, no signed or unsigned attributes (so the
 * signature is over the content bytes themselves), RSA PKCS#1 v1.5 or ECDSA, only the leaf
 * certificate, no CRLs.
 *
 * The output is BER in Turnkey's byte profile: ContentInfo, its [0], SignedData,
 * EncapsulatedContentInfo and its [0] have indefinite lengths (`0x80` ... `00 00`); everything
 * else, the content OCTET STRING included, is definite-length DER.
 */
export function signEnvelope(content: Uint8Array, signer: SigningIdentity): Buffer {
  if (content.length === 0) throw new SigningError('sign-content', 'there is nothing to sign');
  const certificateDer = Buffer.from(signer.certificate.der);
  const { privateKey } = signer;

  if (!new X509Certificate(certificateDer).checkPrivateKey(privateKey)) {
    throw new SigningError('sign-key', 'the private key does not belong to the certificate');
  }
  const keyType = privateKey.asymmetricKeyType;
  let signatureAlgorithm: Buffer;
  let signature: Buffer;
  if (keyType === 'rsa') {
    signatureAlgorithm = sequence(oid(OID.sha256WithRSAEncryption), nullValue());
    signature = sign('sha256', content, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
  } else if (keyType === 'ec') {
    // RFC 5758: ecdsa-with-SHA256 has no parameters; the signature is the DER ECDSA-Sig-Value.
    signatureAlgorithm = sequence(oid(OID.ecdsaWithSHA256));
    signature = sign('sha256', content, { key: privateKey, dsaEncoding: 'der' });
  } else {
    throw new SigningError('sign-key', `a ${keyType ?? 'unknown'} key cannot sign: only RSA and EC keys can`);
  }

  const digestAlgorithm = sequence(oid(OID.sha256), nullValue());
  const { issuer, serialNumber } = issuerAndSerialNumber(certificateDer);
  const signerInfo = sequence(integer(1), sequence(issuer, serialNumber), digestAlgorithm, signatureAlgorithm, octetString(signature));

  return indefinite(
    TAG.SEQUENCE, // ContentInfo
    oid(OID.signedData),
    indefinite(
      contextTag(0),
      indefinite(
        TAG.SEQUENCE, // SignedData
        integer(1),
        set(digestAlgorithm),
        indefinite(TAG.SEQUENCE, oid(OID.data), indefinite(contextTag(0), octetString(content))),
        tlv(contextTag(0), certificateDer), // certificates [0] IMPLICIT: the leaf only
        set(signerInfo),
      ),
    ),
  );
}

/** The issuer Name and serialNumber exactly as encoded in the certificate's TBSCertificate. */
function issuerAndSerialNumber(certificateDer: Buffer): { issuer: Buffer; serialNumber: Buffer } {
  const certificate = forge.asn1.fromDer(forge.util.createBuffer(certificateDer.toString('binary')));
  const tbs = (certificate.value as forge.asn1.Asn1[])[0];
  const fields = tbs?.value as forge.asn1.Asn1[] | undefined;
  if (!fields) throw new SigningError('sign-key', 'the certificate has no TBSCertificate');
  // The version is an explicit [0], present in v2/v3 certificates only.
  const first = fields[0];
  const offset = first && first.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && first.type === 0 ? 1 : 0;
  const serialNumber = fields[offset];
  const issuer = fields[offset + 2];
  if (!serialNumber || !issuer) throw new SigningError('sign-key', 'the certificate has no issuer or serial number');
  const encode = (node: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
  return { issuer: encode(issuer), serialNumber: encode(serialNumber) };
}
