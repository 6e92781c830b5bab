export { signEnvelope, type SigningIdentity } from './signEnvelope.js';
export { verifySignedEnvelope, type VerifiedEnvelope, type VerifyOptions } from './verifySignedEnvelope.js';
export { loadPfx, type LoadedPfx } from './loadPfx.js';
export { generateTestCertificate, type TestCertificate, type TestCertificateOptions } from './generateTestCertificate.js';
export { describeCertificate, type CertificateFacts } from './certificateFacts.js';
export { SignatureVerificationError } from './SignatureVerificationError.js';
export { PfxError, type PfxErrorCode } from './PfxError.js';
export { SigningError, type SigningErrorCode } from './SigningError.js';
