import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;
type Node = forge.asn1.Asn1;

const MAC_ITERATIONS = 2048;
const OIDS = {
  data: '1.2.840.113549.1.7.1',
  sha1: '1.3.14.3.2.26',
  certBag: '1.2.840.113549.1.12.10.1.3',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
};

/**
 * Writes a PKCS#12 file holding one key and its certificate. The key is encrypted with
 * pbeWithSHAAnd3-KeyTripleDES-CBC and the file has a SHA-1 MAC, a combination every reader
 * (OpenSSL 3 without the legacy provider, Windows, Java, node-forge) opens. Works for any key
 * type, because the key goes in as PKCS#8 DER: forge's own writer handles RSA keys only.
 */
export function buildPfx(privateKeyPkcs8Der: Uint8Array, certificateDer: Uint8Array, password: string): Buffer {
  // localKeyId pairs the key with its certificate, as OpenSSL and Windows expect.
  const localKeyId = createHash('sha1').update(certificateDer).digest();
  const attributes = set([sequence([oid(OIDS.localKeyId), set([primitive(asn1.Type.OCTETSTRING, binary(localKeyId))])])]);

  const certificateBag = sequence([
    oid(OIDS.certBag),
    explicit0([sequence([oid(OIDS.x509Certificate), explicit0([primitive(asn1.Type.OCTETSTRING, binary(certificateDer))])])]),
    attributes,
  ]);
  const privateKeyInfo = asn1.fromDer(forge.util.createBuffer(binary(privateKeyPkcs8Der)));
  const keyBag = sequence([
    oid(OIDS.pkcs8ShroudedKeyBag),
    explicit0([forge.pki.encryptPrivateKeyInfo(privateKeyInfo, password, { algorithm: '3des', count: MAC_ITERATIONS, saltSize: 8 })]),
    attributes,
  ]);

  const authenticatedSafe = sequence([dataContentInfo(sequence([certificateBag])), dataContentInfo(sequence([keyBag]))]);
  const authenticatedSafeDer = asn1.toDer(authenticatedSafe).getBytes();

  const macSalt = binary(randomBytes(8));
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(macSalt), 3, MAC_ITERATIONS, 20);
  const hmac = forge.hmac.create();
  hmac.start(forge.md.sha1.create(), macKey);
  hmac.update(authenticatedSafeDer);
  const macData = sequence([
    sequence([sequence([oid(OIDS.sha1), primitive(asn1.Type.NULL, '')]), primitive(asn1.Type.OCTETSTRING, hmac.digest().getBytes())]),
    primitive(asn1.Type.OCTETSTRING, macSalt),
    primitive(asn1.Type.INTEGER, asn1.integerToDer(MAC_ITERATIONS).getBytes()),
  ]);

  const pfx = sequence([
    primitive(asn1.Type.INTEGER, asn1.integerToDer(3).getBytes()),
    sequence([oid(OIDS.data), explicit0([primitive(asn1.Type.OCTETSTRING, authenticatedSafeDer)])]),
    macData,
  ]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

function dataContentInfo(safeContents: Node): Node {
  return sequence([oid(OIDS.data), explicit0([primitive(asn1.Type.OCTETSTRING, asn1.toDer(safeContents).getBytes())])]);
}

function sequence(value: Node[]): Node {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, value);
}

function set(value: Node[]): Node {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, value);
}

function explicit0(value: Node[]): Node {
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, value);
}

function primitive(type: forge.asn1.Type, value: string): Node {
  return asn1.create(asn1.Class.UNIVERSAL, type, false, value);
}

function oid(dotted: string): Node {
  return primitive(asn1.Type.OID, asn1.oidToDer(dotted).getBytes());
}

/** forge works on "binary strings" (one char per byte). */
function binary(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('binary');
}
