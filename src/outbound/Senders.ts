import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { readSecret } from '../config/readSecret.js';
import { senderForSeller } from '../config/senders.js';
import type { PlatformSettings } from '../config/types.js';
import { ConfigError } from '../errors/index.js';
import { GatewayClient } from '../transport/gateway/GatewayClient.js';
import type { PlatformFiles } from '../transport/PlatformFiles.js';
import { ThreadedPlatformLink } from '../transport/ThreadedPlatformLink.js';
import type { LoadedPfx } from '../protocol/cms/index.js';
import { loadSigner } from './loadSigner.js';

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
    const extraCaPem = platform.gateway.caFile === null ? null : readCaFile(platform.gateway.caFile);
    if (process.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') {
      logger.warn(
        { event: 'tls-verification-kept' },
        "NODE_TLS_REJECT_UNAUTHORIZED=0 is set but ignored: the gateway's certificate is always verified (platform.gateway.caFile " +
          'adds a CA to trust)',
      );
    }
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
          extraCaPem,
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

/** The PEM file of further gateway CAs; read once at start, its problems named by key and file. */
export function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError(`platform.gateway.caFile: cannot read ${file}`, { cause, hint: 'Point it at a PEM file of CA certificates.' });
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw new ConfigError(`platform.gateway.caFile: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, {
      hint: 'Export the CA certificate in PEM (Base64) form.',
    });
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (cause) {
      throw new ConfigError(`platform.gateway.caFile: certificate ${i + 1} of ${file} cannot be read`, {
        cause,
        hint: 'Export the CA certificate again in PEM (Base64) form.',
      });
    }
  }
  return pem;
}
