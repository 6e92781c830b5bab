import { randomUUID } from 'node:crypto';
import { armor, checkSignedFileSize } from './armor.js';
import { signEnvelope, type SigningIdentity } from './cms/index.js';
// Not the envelope's index: it also holds the parser, and with it libxml2, which the daemon's main thread does without.
import { serializeEnvelope } from './envelope/serializeEnvelope.js';
import type { EnvelopeRouting } from './envelope/types.js';
import { formatCommonName, formatSignedFileName } from './names.js';
import { zipSignedFile } from './zip.js';

export interface PackInput {
  messageType: string;
  routing: EnvelopeRouting;
  /** The exact validated bytes of each message, in pack order. */
  messages: ReadonlyArray<Uint8Array>;
  /** The source part of the local signed-file name (Turnkey uses the first message's file name). */
  sourceName: string;
  zip: boolean;
  signer: SigningIdentity;
  at: Date;
  uuid?: string;
}

export interface SignedPack {
  /** The remote file name, and the message id results refer to. */
  commonName: string;
  /** `<source>_<from>_<to>_<common name>_<count>`: the local file name, and the zip entry name. */
  signedFileName: string;
  /** The armored CMS: "the signed file". Its length is the `size` of the notification. */
  armored: Buffer;
  /** What is uploaded: the armored bytes, or the zip holding them. */
  payload: Buffer;
  zipped: boolean;
  count: number;
}

/**
 * Builds one pack: the envelope in Turnkey's exact bytes, signed, armored, optionally zipped, and
 * named. Pure: the caller writes it durably and records it before anything is sent, and from then
 * on sends these bytes under this name, forever.
 */
export function buildSignedPack(input: PackInput): SignedPack {
  const envelope = serializeEnvelope({ routing: input.routing, messageType: input.messageType, messages: input.messages });
  const armored = armor(signEnvelope(envelope, input.signer));
  checkSignedFileSize(armored);
  const commonName = formatCommonName({
    migVersion: '4.1',
    messageType: input.messageType,
    at: input.at,
    uuid: input.uuid ?? randomUUID(),
  });
  const signedFileName = formatSignedFileName({
    source: input.sourceName,
    from: input.routing.from.id,
    to: input.routing.to.id,
    commonName,
    count: input.messages.length,
  });
  return {
    commonName,
    signedFileName,
    armored,
    payload: input.zip ? zipSignedFile(signedFileName, armored, input.at) : armored,
    zipped: input.zip,
    count: input.messages.length,
  };
}
