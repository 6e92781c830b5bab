import { join } from 'node:path';
import { readSecret } from '../config/readSecret.js';
import type { TurnkeyConfig } from '../config/types.js';
import { ConfigError } from '../errors/index.js';
import { loadSigner } from '../outbound/loadSigner.js';
import type { SimAccountOptions, SimulatorOptions } from '../sim/index.js';

/**
 * The simulator a sandbox configuration (`turnkey init`'s, platform mode `sandbox`) points at: its
 * ports, gateway path and actions, one transport account per sender with that sender's
 * certificate registered, and the simulator settings of `platform.simulator`. What `turnkey sim
 * --config turnkey.config.json` runs, and what `turnkey start` launches beside the daemon.
 */
export function sandboxSimulatorOptions(config: TurnkeyConfig): SimulatorOptions {
  const platform = config.platform;
  if (!platform || platform.mode !== 'sandbox') {
    throw new ConfigError(`${config.configFile}: platform.mode is not "sandbox": there is no sandbox platform to simulate`, {
      hint: 'Give `turnkey sim` a simulator configuration (sim.config.json), or a sandbox configuration made by `turnkey init`.',
    });
  }
  const accounts = new Map<string, SimAccountOptions>();
  for (const [i, sender] of platform.senders.entries()) {
    if (accounts.has(sender.transport.id)) continue;
    const where = platform.senders.length > 1 ? `platform.senders[${i}]` : 'platform';
    accounts.set(sender.transport.id, {
      transportId: sender.transport.id,
      password: readSecret(sender.transport.password, `${where}.transport.password`),
      partyId: sender.partyId,
      routingId: sender.routingId,
      certificates: [loadSigner(sender, where).certificate.pem],
    });
  }
  const gatewayUrl = new URL(platform.gateway.baseUrl);
  return {
    dataDir: platform.simulator.dataDir,
    // Beside the sandbox's other secrets (the transport password, the .pfx and its password).
    adminTokenFile: join(config.dataRoot, 'secrets', 'sim-admin.token'),
    sftp: { port: platform.sftp.port },
    gateway: { port: Number(gatewayUrl.port), basePath: gatewayUrl.pathname.replace(/\/+$/, ''), actions: platform.actions },
    accounts: [...accounts.values()],
    processingDelayMs: platform.simulator.processingDelayMs,
    validation: { b2cTaxIncluded: platform.simulator.b2cTaxIncluded },
  };
}
