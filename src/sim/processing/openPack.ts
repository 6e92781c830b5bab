import { createHash } from 'node:crypto';
import { ArmorError, unarmor } from '../../protocol/armor.js';
import { SignatureVerificationError, verifySignedEnvelope } from '../../protocol/cms/index.js';
import { EnvelopeError, parseEnvelope, type EnvelopeRouting } from '../../protocol/envelope/index.js';
import { unzipSignedFile, ZipError } from '../../protocol/zip.js';
import type { Validator } from '../../validation/Validator.js';
import type { MessageFacts } from '../record/SimDatabase.js';
import { RESULT_CODE } from '../results/resultCodes.js';

/** What a processing step needs to open one stored pack. */
export interface OpenPackInput {
  /** The file exactly as uploaded. */
  fileBytes: Uint8Array;
  zip: boolean;
  /** The sender's registered certificates (DER). */
  trustedCertificates: Uint8Array[];
}

/** One message of the pack as the validator saw it. */
export interface OpenedMessage extends MessageFacts {
  valid: boolean;
  /** The first error, when not valid. */
  finding: { code: string; message: string } | null;
}

export type OpenedPack =
  | { kind: 'failed'; code: string; reason: string }
  | {
      kind: 'opened';
      routing: EnvelopeRouting;
      messageType: string;
      count: number;
      version: string;
      messages: OpenedMessage[];
    };

/**
 * Opens a pack the way the platform does: unzip when zipped, un-armor, verify the CMS signature
 * against the sender's registered certificates, read the envelope, then validate every message
 * once. A broken file or signature fails the whole pack with E0004; an unreadable envelope with
 * E9001 (its count not matching its messages, E9003). Pure and synchronous: it runs in a worker.
 */
export function openPack(input: OpenPackInput, validator: Validator): OpenedPack {
  let cms: Buffer;
  try {
    const armored = input.zip ? unzipSignedFile(input.fileBytes).content : input.fileBytes;
    cms = unarmor(armored);
  } catch (error) {
    if (error instanceof ArmorError || error instanceof ZipError) {
      return { kind: 'failed', code: RESULT_CODE.signature, reason: `the signed file cannot be read: ${error.message}` };
    }
    throw error;
  }

  let content: Buffer;
  try {
    content = verifySignedEnvelope(cms, { trustedCertificates: input.trustedCertificates }).content;
  } catch (error) {
    if (error instanceof SignatureVerificationError) return { kind: 'failed', code: RESULT_CODE.signature, reason: error.message };
    throw error;
  }

  let envelope: ReturnType<typeof parseEnvelope>;
  try {
    envelope = parseEnvelope(content);
  } catch (error) {
    if (error instanceof EnvelopeError) {
      const code = error.code === 'envelope-count' ? RESULT_CODE.packMismatch : RESULT_CODE.envelope;
      return { kind: 'failed', code, reason: `the envelope cannot be read: ${error.message}` };
    }
    throw error;
  }

  const messages = envelope.messages.map((text, index): OpenedMessage => {
    const bytes = Buffer.from(text, 'utf8');
    const report = validator.validate(bytes);
    const first = report.errors[0];
    return {
      seq: index + 1,
      messageType: report.messageType,
      number: report.fields?.number ?? null,
      date: report.fields?.date ?? null,
      invoiceIdentifier: report.invoiceIdentifier,
      sellerId: report.fields?.sellerId ?? null,
      contentSha256: createHash('sha256').update(bytes).digest('hex'),
      valid: report.valid,
      finding: first ? { code: first.code, message: first.message } : null,
    };
  });
  return {
    kind: 'opened',
    routing: envelope.routing,
    messageType: envelope.messageType,
    count: envelope.count,
    version: envelope.version,
    messages,
  };
}
