import forge from 'node-forge';

type Node = forge.asn1.Asn1;

/** forge's PBE helper, present at run time but missing from @types/node-forge. */
interface PbeCipher {
  update(input: forge.util.ByteStringBuffer): void;
  finish(): boolean;
  output: forge.util.ByteStringBuffer;
}
const pbe = (forge.pki as unknown as { pbe: { getCipher(oid: string, params: Node, password: string): PbeCipher } }).pbe;

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
};

/**
 * The certificates of a PKCS#12 file, byte for byte. forge's own decoder keeps only a parsed
 * certificate, and re-encoding it may alter the bytes (e.g. the signature algorithm's
 * parameters); the certificate sent in every CMS must be exactly the one registered on the
 * platform. Call only after forge has opened the file with this password (MAC checked).
 */
export function readPfxCertificates(pfx: Node, password: string): Buffer[] {
  const certificates: Buffer[] = [];
  const authSafe = child(pfx, 1); // ContentInfo (data)
  const authenticatedSafe = fromDer(octets(child(child(authSafe, 1), 0)));
  for (const contentInfo of children(authenticatedSafe)) {
    const type = oidOf(child(contentInfo, 0));
    let safeContents: string;
    if (type === OIDS.data) safeContents = octets(child(child(contentInfo, 1), 0));
    else if (type === OIDS.encryptedData) safeContents = decrypt(child(child(contentInfo, 1), 0), password);
    else continue; // public-key privacy mode: not used by software certificates
    for (const safeBag of children(fromDer(safeContents))) {
      if (oidOf(child(safeBag, 0)) !== OIDS.certBag) continue;
      const certBag = child(child(safeBag, 1), 0);
      if (oidOf(child(certBag, 0)) !== OIDS.x509Certificate) continue;
      certificates.push(Buffer.from(octets(child(child(certBag, 1), 0)), 'binary'));
    }
  }
  return certificates;
}

/** EncryptedData ::= SEQUENCE { version, EncryptedContentInfo { contentType, algorithm, [0] content } }. */
function decrypt(encryptedData: Node, password: string): string {
  const encryptedContentInfo = child(encryptedData, 1);
  const algorithm = child(encryptedContentInfo, 1);
  const cipher = pbe.getCipher(oidOf(child(algorithm, 0)), child(algorithm, 1), password);
  cipher.update(forge.util.createBuffer(octets(child(encryptedContentInfo, 2))));
  if (!cipher.finish()) throw new Error('the certificate bag cannot be decrypted');
  return cipher.output.getBytes();
}

/** The bytes of an OCTET STRING (or implicitly tagged one), joining BER constructed pieces. */
function octets(node: Node): string {
  if (typeof node.value === 'string') return node.value;
  return node.value.map(octets).join('');
}

function children(node: Node): Node[] {
  if (typeof node.value === 'string') throw new Error('unexpected primitive value in the PKCS#12 structure');
  return node.value;
}

function child(node: Node, index: number): Node {
  const found = children(node)[index];
  if (found === undefined) throw new Error('missing element in the PKCS#12 structure');
  return found;
}

function oidOf(node: Node): string {
  return forge.asn1.derToOid(octets(node));
}

function fromDer(bytes: string): Node {
  return forge.asn1.fromDer(forge.util.createBuffer(bytes), false);
}
