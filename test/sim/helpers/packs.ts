import { randomUUID } from 'node:crypto';
import { armor } from '../../../src/protocol/armor.js';
import { signEnvelope } from '../../../src/protocol/cms/index.js';
import { serializeEnvelope, type EnvelopeRouting } from '../../../src/protocol/envelope/index.js';
import { formatCommonName, formatSignedFileName } from '../../../src/protocol/names.js';
import { zipSignedFile } from '../../../src/protocol/zip.js';
import type { TestIdentity } from './identity.js';

export interface BuiltPack {
  commonName: string;
  /** What is uploaded: the armored file, or its ZIP. */
  file: Buffer;
  armored: Buffer;
  /** The envelope bytes that were signed. */
  envelope: Buffer;
  quantity: number;
  zip: boolean;
  messageType: string;
  routing: EnvelopeRouting;
}

export function routingFor(partyId: string, routingId: string = partyId): EnvelopeRouting {
  return { from: { id: partyId }, fromVac: { id: routingId }, to: { id: '0000000000' }, toVac: { id: '0000000000' } };
}

/** Packs messages as the daemon does: envelope, CMS signature, armor, optionally the ZIP. */
export function buildPack(options: {
  messages: string[];
  identity: TestIdentity;
  routing: EnvelopeRouting;
  messageType?: string;
  zip?: boolean;
  /** Changes the armored bytes after signing (e.g. to break the signature). */
  tamper?: (armored: Buffer) => Buffer;
}): BuiltPack {
  const messageType = options.messageType ?? 'F0401';
  const envelope = serializeEnvelope({ routing: options.routing, messageType, messages: options.messages });
  let armored = armor(signEnvelope(envelope, options.identity.signer));
  if (options.tamper) armored = options.tamper(armored);
  const commonName = formatCommonName({ migVersion: '4.1', messageType, at: new Date(), uuid: randomUUID() });
  const zip = options.zip ?? false;
  const file = zip
    ? zipSignedFile(
        formatSignedFileName({
          source: 'erp_batch.xml',
          from: options.routing.from.id,
          to: options.routing.to.id,
          commonName,
          count: options.messages.length,
        }),
        armored,
      )
    : armored;
  return { commonName, file, armored, envelope, quantity: options.messages.length, zip, messageType, routing: options.routing };
}

/** Flips one Base64 character in the middle of the signed content: still valid armor, no longer the signed bytes. */
export function flipOneByte(armored: Buffer): Buffer {
  const copy = Buffer.from(armored);
  const lines = copy.toString('latin1').split('\n');
  const middle = Math.floor(lines.length / 2);
  const line = lines[middle]!;
  const at = 10;
  lines[middle] = line.slice(0, at) + (line[at] === 'A' ? 'B' : 'A') + line.slice(at + 1);
  return Buffer.from(lines.join('\n'), 'latin1');
}
