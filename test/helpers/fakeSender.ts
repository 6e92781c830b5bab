import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sender } from '../../src/outbound/Senders.js';
import type { LoadedPfx } from '../../src/protocol/cms/index.js';
import type { MessageTransitions } from '../../src/store/MessageTransitions.js';
import type { PackTransitions } from '../../src/store/PackTransitions.js';
import type { NotificationAnswer, UploadNotification } from '../../src/transport/gateway/GatewayClient.js';
import type { PlatformFiles } from '../../src/transport/PlatformFiles.js';
import { newMessage } from './messages.js';

export const FAKE_PARTY = '24634102';
/** The fingerprint of the fake sender's certificate. */
export const FAKE_FINGERPRINT = 'AB:CD';

/**
 * A sender whose platform is played by the test: `upload` and `notify` answer or throw as the test
 * wants; `link` may add what results need (list, download, remove of out/).
 */
export function fakeSender(platform: {
  upload: (path: string) => Promise<void> | void;
  notify: (notification: UploadNotification) => Promise<NotificationAnswer> | NotificationAnswer;
  link?: Partial<PlatformFiles>;
  certificateNotAfter?: () => Date;
}): Sender {
  const signer = { subject: 'CN=test merchant', fingerprint: FAKE_FINGERPRINT } as LoadedPfx;
  // The sender only uploads signed files; it reads its certificate's facts, never its key.
  Object.defineProperty(signer, 'notAfter', { get: () => platform.certificateNotAfter?.() ?? new Date('2099-01-01T00:00:00Z') });
  return {
    partyId: FAKE_PARTY,
    routingId: FAKE_PARTY,
    bans: [FAKE_PARTY],
    signer,
    transport: {
      id: 'T1',
      link: {
        connect: async () => {},
        upload: async (path) => platform.upload(path),
        list: async () => [],
        download: async () => Buffer.alloc(0),
        remove: async () => {},
        close: async () => {},
        ...platform.link,
      },
      gateway: { notify: async (n) => platform.notify(n), close: async () => {} },
    },
  };
}

/** A pack of `count` queued messages from message number `first` (its name: `pack-<first>`), its signed file on disk in `dir`. */
export function packOf(
  stores: { messages: MessageTransitions; packs: PackTransitions },
  dir: string,
  first: number,
  count: number,
  signerFingerprint: string = FAKE_FINGERPRINT,
): { packId: number; commonName: string; messageIds: number[] } {
  const messageIds = Array.from({ length: count }, (_, i) => {
    const { messageId } = stores.messages.receive(newMessage(first + i, { sellerId: FAKE_PARTY }));
    stores.messages.move(messageId, 'received', 'queued');
    return messageId;
  });
  const commonName = `pack-${first}`;
  const payload = Buffer.from(`signed bytes of ${commonName}`);
  const payloadPath = join(dir, `${commonName}.signed`);
  writeFileSync(payloadPath, payload);
  const { packId } = stores.packs.create(
    {
      commonName,
      signedFileName: `x_${commonName}_2`,
      messageType: 'F0401',
      fromPartyId: FAKE_PARTY,
      toPartyId: '0000000000',
      size: payload.length,
      zipped: false,
      payloadPath,
      payloadSha256: createHash('sha256').update(payload).digest('hex'),
      signerFingerprint,
    },
    messageIds,
  );
  return { packId, commonName, messageIds };
}
