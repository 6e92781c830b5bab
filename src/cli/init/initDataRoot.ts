import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_FILE_NAME, CONFIG_SCHEMA_PATH } from '../../config/configSchema.js';
import { defaultConfigFile, loadConfig } from '../../config/loadConfig.js';
import { DEFAULT_DATA_DIR } from '../../config/locateConfig.js';
import { TurnkeyError } from '../../errors/index.js';
import { DataRootLock, DataRootLockedError } from '../../daemon/DataRootLock.js';
import { restrictUmask, secureDataRoot } from '../../fs/dataRootAccess.js';
import { mkdirDurably } from '../../fs/fsyncDir.js';
import { createFileDurably, removeStaleTemps } from '../../fs/writeFileDurably.js';
import { IntakeLayout } from '../../intake/IntakeLayout.js';
import { Store } from '../../store/Store.js';
import { EXIT } from '../exit.js';
import { createSandbox } from '../../sandbox/createSandbox.js';
import { freeLoopbackPorts } from '../../sandbox/freeLoopbackPorts.js';

/** `turnkey init`. */
export async function runInit(dir: string, options: { json?: boolean; sandbox: boolean; ifMissing?: boolean }): Promise<void> {
  if (options.ifMissing && existsSync(join(resolve(dir), CONFIG_FILE_NAME))) {
    process.exitCode = EXIT.ok;
    return;
  }
  const created = await initDataRoot(dir, { sandbox: options.sandbox });
  if (options.json) process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
  else {
    process.stdout.write(
      [
        `Created ${created.configFile}`,
        `  data root: ${created.dataRoot}`,
        `  database:  ${created.database}`,
        created.sandbox
          ? '  platform:  sandbox (the daemon starts the platform simulator beside it, on loopback)'
          : '  platform:  none (files are checked and recorded, nothing is sent)',
        `  drop folders (the ERP writes here):`,
        ...created.srcFolders.map((f) => `    ${f}`),
        '',
        `Start the daemon with: ${created.startCommand}`,
        '',
      ].join('\n'),
    );
  }
  process.exitCode = EXIT.ok;
}

export interface InitResult {
  configFile: string;
  dataRoot: string;
  database: string;
  srcFolders: string[];
  startCommand: string;
  sandbox: boolean;
}

/**
 * Writes the configuration (never over an existing one), creates the folders and the database;
 * all of it durable when this returns, so that a power cut right after `turnkey init` loses none of it.
 */
export async function initDataRoot(dir: string, options: { sandbox?: boolean; cwd?: string } = {}): Promise<InitResult> {
  const cwd = options.cwd ?? process.cwd();
  const sandbox = options.sandbox ?? true;
  const dataRoot = resolve(cwd, dir);
  const configFile = join(dataRoot, CONFIG_FILE_NAME);
  // Owner only from the first file on (a new configuration has no group; `start` applies one set later).
  restrictUmask(null);
  mkdirDurably(dataRoot);
  if (existsSync(configFile)) throw configExists(configFile);
  // The daemon's lock, held while writing: a second init at once would overwrite this one's
  // sandbox secrets before the configuration's link decides which init made the data root.
  const lock = lockForInit(dataRoot);
  try {
    return await writeDataRoot(dataRoot, configFile, cwd, sandbox);
  } finally {
    lock.release();
  }
}

async function writeDataRoot(dataRoot: string, configFile: string, cwd: string, sandbox: boolean): Promise<InitResult> {
  // A configuration half written by an init that was killed: written again below.
  removeStaleTemps(dataRoot);
  if (existsSync(configFile)) throw configExists(configFile);
  const defaults = defaultConfigFile();
  // The simulator's two ports and the metrics' one, asked for at once so that they differ.
  const [sftp, gateway, metricsPort] = sandbox ? await freeLoopbackPorts(3) : [];
  const platform = sandbox ? createSandbox(dataRoot, { sftp: sftp!, gateway: gateway! }) : null;
  const content = {
    $schema: schemaReference(dataRoot),
    ...defaults,
    ...(platform && {
      platform,
      // The sandbox's platform announces its maintenance windows (`turnkey sim`, /_sim/maintenance): the daemon reads them.
      maintenance: { ...defaults.maintenance, feeds: [{ url: sandboxAnnouncements(platform), format: 'json' as const }] },
      // Health and metrics on in the sandbox (off by default for the real platform), on a free loopback port.
      metrics: { listen: `127.0.0.1:${metricsPort!}` },
    }),
  };
  // Whole or absent after a power cut; never over a configuration, one another init wrote a moment ago included.
  if (!createFileDurably(dataRoot, CONFIG_FILE_NAME, Buffer.from(`${JSON.stringify(content, null, 2)}\n`))) throw configExists(configFile);
  const config = loadConfig(configFile);
  const layout = new IntakeLayout(config.dataRoot, config.intake.messageTypes);
  layout.ensure();
  Store.open(config.database, { busyTimeoutMs: config.store.busyTimeoutMs }).close();
  secureDataRoot(config, null);
  const relativeConfig = relative(cwd, configFile);
  return {
    configFile,
    dataRoot: config.dataRoot,
    database: config.database,
    srcFolders: layout.folders.map((f) => f.src),
    startCommand:
      relativeConfig === join(DEFAULT_DATA_DIR, CONFIG_FILE_NAME) ? 'turnkey start' : `turnkey start --config ${quoteIfNeeded(configFile)}`,
    sandbox,
  };
}

function lockForInit(dataRoot: string): DataRootLock {
  try {
    return DataRootLock.acquire(dataRoot);
  } catch (err) {
    if (!(err instanceof DataRootLockedError)) throw err;
    throw new DataRootLockedError(
      `the data root ${dataRoot} is in use: another turnkey init is writing it, or a daemon runs on it`,
      'Wait for the other init to finish and run this one again (it will find its configuration), or stop the daemon.',
    );
  }
}

/** Where the sandbox's simulator serves its announced windows. */
function sandboxAnnouncements(platform: { gateway: { baseUrl: string } }): string {
  return `${new URL(platform.gateway.baseUrl).origin}/announcements`;
}

function configExists(configFile: string): TurnkeyError {
  return new TurnkeyError('config-exists', `${configFile} already exists; turnkey init never overwrites a configuration`, {
    hint: 'Edit that file, or remove it first if you really want a fresh one, or choose another folder: turnkey init DIR.',
  });
}

/** `$schema` for editors: a relative path to the shipped schema when possible. */
function schemaReference(dataRoot: string): string {
  const rel = relative(dataRoot, CONFIG_SCHEMA_PATH);
  if (isAbsolute(rel) || rel === '') return pathToFileURL(CONFIG_SCHEMA_PATH).href;
  return rel.split(sep).join('/');
}

function quoteIfNeeded(path: string): string {
  return /\s/.test(path) ? `"${path}"` : path;
}
