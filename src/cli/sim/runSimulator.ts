import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../config/loadConfig.js';
import { sandboxSimulatorOptions } from '../../sandbox/sandboxSimulator.js';
import { loadSimConfig } from '../../sim/config/loadSimConfig.js';
import { startSimulator } from '../../sim/startSimulator.js';
import type { RunningSimulator } from '../../sim/Simulator.js';
import type { SimulatorOptions } from '../../sim/SimulatorOptions.js';
import { EXIT } from '../exit.js';
import { DEFAULT_SIM_DATA_DIR, locateSimConfig } from './locateSimConfig.js';

export interface RunSimulatorOptions {
  config?: string;
  json?: boolean;
  logLevel: string;
  /** Stop when standard input closes: the process that started it (the daemon) ended, even by kill -9. */
  stopWithStdin?: boolean;
}

/** `turnkey sim`: runs the simulator in the foreground until SIGINT or SIGTERM. */
export async function runSimulator(options: RunSimulatorOptions): Promise<number> {
  const configFile = locateSimConfig(options.config);
  const simOptions = configFile ? simulatorOptionsFrom(configFile) : { dataDir: resolve(DEFAULT_SIM_DATA_DIR) };
  // Logs go to stderr as JSON lines; stdout carries only what the operator (or a script) reads.
  const logger = pino({ name: 'turnkey-sim', level: options.logLevel }, pino.destination({ fd: 2, sync: true }));

  // Listen for the signals before anything is printed: whoever reads the banner may stop us at once.
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (options.stopWithStdin) {
    process.stdin.on('end', () => onSignal('SIGTERM'));
    process.stdin.on('error', () => onSignal('SIGTERM'));
    process.stdin.resume();
  }
  try {
    const sim = await startSimulator({ ...simOptions, logger });
    process.stdout.write(options.json ? `${JSON.stringify(describe(sim, configFile))}\n` : banner(sim, configFile, simOptions));
    if ((simOptions.accounts ?? []).length === 0) {
      process.stderr.write(
        'turnkey sim: warning: no account is configured, so every SFTP login and notification is refused; give --config FILE with ' +
          '"accounts".\n',
      );
    }
    const signal = await signalled;
    logger.info({ signal }, 'stopping');
    await sim.stop();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // A resumed standard input keeps the process alive: a simulator that could not start would
    // otherwise wait there, and the daemon for its banner, until the daemon gives up.
    if (options.stopWithStdin) process.stdin.destroy();
  }
  if (!options.json) process.stdout.write('simulator stopped\n');
  return EXIT.ok;
}

/**
 * A simulator configuration, or a sandbox's turnkey.config.json (told apart by its `platform`
 * section): the latter runs the simulator that sandbox points at.
 */
function simulatorOptionsFrom(configFile: string): SimulatorOptions {
  let isTurnkeyConfig = false;
  try {
    const data = JSON.parse(readFileSync(configFile, 'utf8').replace(/^\uFEFF/, '')) as Record<string, unknown> | null;
    isTurnkeyConfig = data !== null && typeof data === 'object' && 'platform' in data;
  } catch {
    // unreadable or not JSON: the simulator's own loader says what is wrong
  }
  return isTurnkeyConfig ? sandboxSimulatorOptions(loadConfig(configFile)) : loadSimConfig(configFile);
}

function describe(sim: RunningSimulator, configFile: string | null) {
  return {
    config: configFile,
    sftp: sim.sftp,
    gateway: sim.gateway,
    hostKey: sim.hostKey,
    dataDir: sim.dataDir,
    databaseFile: sim.databaseFile,
  };
}

function banner(sim: RunningSimulator, configFile: string | null, options: SimulatorOptions): string {
  const accounts = (options.accounts ?? []).map((a) => `${a.transportId} (party ${a.partyId}, routing ${a.routingId})`);
  return [
    'turnkey platform simulator: listening on 127.0.0.1',
    `  config:        ${configFile ?? '(none: defaults)'}`,
    `  SFTP:          127.0.0.1:${sim.sftp.port}`,
    `  known_hosts:   ${sim.hostKey.publicKeyLine}`,
    `  host key:      ${sim.hostKey.fingerprint}`,
    `  gateway:       ${sim.gateway.url}`,
    `  announcements: ${sim.gateway.origin}/announcements  (iCalendar: /announcements.ics)`,
    `  stats:         ${sim.gateway.origin}/stats`,
    `  admin:         ${sim.gateway.origin}/_sim/  (faults, maintenance, e0501, rules)`,
    `                 with 'Authorization: Bearer <token>', the token in ${sim.adminTokenFile}`,
    `  data:          ${sim.dataDir}`,
    `  accounts:      ${accounts.length > 0 ? accounts.join(', ') : '(none)'}`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
