import { generateTestCertificate, loadPfx, type LoadedPfx } from '../../../src/protocol/cms/index.js';

export interface TestIdentity {
  signer: LoadedPfx;
  certificatePem: string;
  certificateDer: Buffer;
}

/** A fresh self-signed signing certificate (made in the test, never committed). */
export function makeIdentity(commonName = 'Sim Test Merchant'): TestIdentity {
  const password = 'test-only-pfx-password';
  const certificate = generateTestCertificate({ commonName, password });
  return {
    signer: loadPfx(certificate.pfx, password),
    certificatePem: certificate.certificatePem,
    certificateDer: certificate.certificateDer,
  };
}
