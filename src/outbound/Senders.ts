import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { readSecret } from '../config/readSecret.js';
import { senderForSeller } from '../config/senders.js';
import type { PlatformSettings, SenderSettings } from '../config/types.js';
import { ConfigError } from '../errors/index.js';
import { GatewayClient } from '../transport/gateway/GatewayClient.js';
import type { PlatformFiles } from '../transport/PlatformFiles.js';
import { ThreadedPlatformLink } from '../transport/ThreadedPlatformLink.js';
import { loadPfx, type LoadedPfx } from '../protocol/cms/index.js';

/** A transport account's connections: its SFTP folders and its gateway login. */
export interface Transport {
  id: string;
  link: PlatformFiles;
  gateway: Pick<GatewayClient, 'notify' | 'close'>;
}

/** A sender ready to send: who it is, its signing identity, and its transport account's connections. */
export interface Sender {
  partyId: string;
  routingId: string;
  bans: readonly string[];
  signer: LoadedPfx;
  transport: Transport;
}

/** How the packer and the sender find a sender: by the seller of a message, by the party of a pack. */
export interface SenderLookup {
  forSeller(sellerId: string): Sender | undefined;
  byParty(partyId: string): Sender | undefined;
}

/**
 * The configured senders, with their certificates loaded and one SFTP thread and one gateway
 * client per transport account (senders that share an account share them). Results are collected
 * from every account's out/ folder.
 */
export class Senders implements SenderLookup {
  private constructor(
    readonly all: readonly Sender[],
    readonly transports: readonly Transport[],
  ) {}

  static async start(platform: PlatformSettings, knownHosts: string, logger: Logger): Promise<Senders> {
    const signers = platform.senders.map((sender, i) =>
      loadSigner(sender, platform.senders.length > 1 ? `platform.senders[${i}]` : 'platform'),
    );
    const transports = new Map<string, Transport>();
    try {
      for (const sender of platform.senders) {
        if (transports.has(sender.transport.id)) continue;
        const password = readSecret(sender.transport.password, 'platform.transport.password');
        const link = await ThreadedPlatformLink.start(
          {
            host: platform.sftp.host,
            port: platform.sftp.port,
            username: sender.transport.id,
            password,
            knownHosts,
            timeoutMs: platform.sftp.timeoutSeconds * 1000,
            ...(platform.sftp.algorithms && { algorithms: platform.sftp.algorithms }),
          },
          (exitCode) =>
            logger.error(
              { event: 'sftp-thread-exited', exitCode, transport: sender.transport.id },
              'the SFTP thread stopped; operations under way are retried and the thread is replaced',
            ),
        );
        const gateway = new GatewayClient({
          baseUrl: platform.gateway.baseUrl,
          loginId: sender.transport.id,
          loginPassword: password,
          connectTimeoutMs: platform.gateway.connectTimeoutSeconds * 1000,
          totalTimeoutMs: platform.gateway.totalTimeoutSeconds * 1000,
        });
        transports.set(sender.transport.id, { id: sender.transport.id, link, gateway });
      }
    } catch (err) {
      await Promise.allSettled([...transports.values()].flatMap((t) => [t.link.close(), t.gateway.close()]));
      throw err;
    }
    const all = platform.senders.map((s, i) => ({
      partyId: s.partyId,
      routingId: s.routingId,
      bans: s.bans,
      signer: signers[i]!,
      transport: transports.get(s.transport.id)!,
    }));
    return new Senders(all, [...transports.values()]);
  }

  forSeller(sellerId: string): Sender | undefined {
    return senderForSeller(this.all, sellerId);
  }

  byParty(partyId: string): Sender | undefined {
    return this.all.find((s) => s.partyId === partyId);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.transports.flatMap((t) => [t.link.close(), t.gateway.close()]));
  }
}

/** A sender's signing identity from its .pfx and password (read from where the configuration says). */
export function loadSigner(sender: SenderSettings, where: string): LoadedPfx {
  let bytes: Buffer;
  try {
    bytes = readFileSync(sender.certificate.pfx);
  } catch (cause) {
    throw new ConfigError(`${where}.certificate.pfx: cannot read ${sender.certificate.pfx}`, {
      cause,
      hint: "Point it at the merchant's .pfx (or run turnkey init for a sandbox one).",
    });
  }
  return loadPfx(bytes, readSecret(sender.certificate.password, `${where}.certificate.password`));
}
