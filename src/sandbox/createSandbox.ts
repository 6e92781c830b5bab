import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { PlatformSettingsFile } from '../config/types.js';
import { mkdirDurably } from '../fs/fsyncDir.js';
import { removeStaleTemps, writeFileDurably } from '../fs/writeFileDurably.js';
import { generateTestCertificate } from '../protocol/cms/index.js';
import { knownHostsLine, loadOrCreateHostKey } from '../sim/sftp/hostKey.js';
import { SimLayout } from '../sim/storage/SimLayout.js';

/** A sandbox's platform section: one sender, written with the section's own keys. */
export type SandboxPlatform = PlatformSettingsFile &
  Required<Pick<PlatformSettingsFile, 'partyId' | 'routingId' | 'transport' | 'certificate'>>;

/** The sandbox merchant: a BAN with a valid checksum (the samples' seller). */
export const SANDBOX_PARTY_ID = '53718426';

/**
 * Makes everything a sandbox needs under the data root, so that deleting that folder resets it:
 * a test certificate (.pfx with a generated password, kept in a file beside it), a transport
 * password, the simulator's SSH host key and the known_hosts entry for it, on the loopback ports
 * given (see freeLoopbackPorts). Every file and folder is durable when this returns (the
 * configuration written next names them). Returns the `platform` section to write (paths relative
 * to the configuration's folder).
 */
export function createSandbox(dataRoot: string, ports: { sftp: number; gateway: number }): SandboxPlatform {
  const secrets = join(dataRoot, 'secrets');
  const simDir = join(dataRoot, 'sim');
  const platformDir = join(dataRoot, 'platform');
  mkdirDurably(secrets, simDir, platformDir);
  if (process.platform !== 'win32') chmodSync(secrets, 0o700);
  // What an init that was killed left half written: written again below.
  for (const folder of [secrets, platformDir]) removeStaleTemps(folder);
  const writeSecret = (name: string, value: string | Buffer): void => {
    writeFileDurably(secrets, name, Buffer.from(value), { mode: 0o600 });
  };

  const pfxPassword = randomBytes(18).toString('base64url');
  const certificate = generateTestCertificate({ commonName: `turnkey sandbox ${SANDBOX_PARTY_ID}`, password: pfxPassword });
  writeSecret('sandbox.pfx', certificate.pfx);
  // The certificate alone (public): what is registered on the platform.
  writeFileDurably(secrets, 'sandbox.cer', Buffer.from(certificate.certificatePem));
  writeSecret('sandbox.pfx.password', `${pfxPassword}\n`);
  writeSecret('transport.password', `${randomBytes(18).toString('base64url')}\n`);

  const { sftp: sftpPort, gateway: gatewayPort } = ports;
  const hostKey = loadOrCreateHostKey(new SimLayout(simDir).hostKeyFile);
  writeFileDurably(platformDir, 'known_hosts', Buffer.from(`${knownHostsLine(hostKey, sftpPort)}\n`));

  return {
    mode: 'sandbox',
    partyId: SANDBOX_PARTY_ID,
    routingId: SANDBOX_PARTY_ID,
    toPartyId: '0000000000',
    toRoutingId: '0000000000',
    transport: { id: 'sandbox', password: { file: 'secrets/transport.password' } },
    certificate: { pfx: 'secrets/sandbox.pfx', password: { file: 'secrets/sandbox.pfx.password' } },
    sftp: { host: '127.0.0.1', port: sftpPort, knownHostsFile: 'platform/known_hosts', timeoutSeconds: 120, algorithms: null },
    gateway: { baseUrl: `http://127.0.0.1:${gatewayPort}/gateway/api`, caFile: null, connectTimeoutSeconds: 10, totalTimeoutSeconds: 120 },
    actions: { F0401: 'C0401' },
    apiVersion: '3.1.3',
    turnkeyVersion: '3.2.1',
    simulator: { dataDir: 'sim', processingDelayMs: 200, b2cTaxIncluded: 'warn' },
  };
}
