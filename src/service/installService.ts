import { constants, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, type PlatformPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SecretRef, TurnkeyConfig } from '../config/types.js';
import { ServiceError, stopTimeoutSeconds, systemdUnit } from './systemdUnit.js';
import { LOG_KEEP_FILES, LOG_ROLL_KIB, WINSW_BASENAME, winswConfig } from './winswConfig.js';

export type ServiceKind = 'systemd' | 'windows';

export interface ServiceFile {
  path: string;
  /** The text written (absent for a copied file). */
  content?: string;
  /** The file copied there: WinSW's executable and its .NET configuration; null when node-windows is not installed (dry run). */
  copiedFrom?: string | null;
}

/** What `turnkey service install` writes, and what the operator does next. */
export interface ServicePlan {
  kind: ServiceKind;
  files: ServiceFile[];
  steps: string[];
}

/** The parts of the configuration a service file depends on. */
export type ServiceConfig = Pick<
  TurnkeyConfig,
  'configFile' | 'dataRoot' | 'database' | 'group' | 'daemon' | 'platform' | 'validation' | 'maintenance'
>;

/** This install: how the daemon is started, and where the files go. */
export interface Install {
  config: ServiceConfig;
  /** node's executable (process.execPath). */
  nodePath: string;
  /** The flags bin/turnkey's shebang gives node. */
  nodeFlags: readonly string[];
  binPath: string;
  /** Where the files are written (default: the data root's `service` folder). */
  outDir?: string;
}

/** The name of the unit, and of the Windows service. */
export const SERVICE_NAME = 'turnkey';
const DESCRIPTION = 'turnkey: sends e-invoices to the MOF E-Invoice Platform';

/** The systemd unit for this install, and the steps to install it (as root). Linux paths. */
export function planSystemd(install: Install, user: string): ServicePlan {
  const { config } = install;
  const outDir = install.outDir ?? posix.join(config.dataRoot, 'service');
  const unitPath = posix.join(outDir, `${SERVICE_NAME}.service`);
  const outside = (p: string): boolean => !isInside(posix, config.dataRoot, p);
  const writablePaths = [posix.dirname(config.database)];
  if (config.platform?.mode === 'sandbox') writablePaths.push(config.platform.simulator.dataDir);
  const extraWritable = [...new Set(writablePaths.filter(outside))];
  const secretEnv = secretEnvNames(config);
  const content = systemdUnit({
    nodePath: install.nodePath,
    nodeFlags: install.nodeFlags,
    binPath: install.binPath,
    configFile: config.configFile,
    dataRoot: config.dataRoot,
    writablePaths: extraWritable,
    readPaths: readPaths(config),
    secretEnv,
    user,
    group: config.group,
    drainTimeoutSeconds: config.daemon.drainTimeoutSeconds,
    description: DESCRIPTION,
  });
  const sh = shellWord;
  const steps = [
    `Create the service's own account, if it does not exist: sudo useradd --system --user-group --no-create-home ` +
      `--home-dir ${sh(config.dataRoot)} --shell /usr/sbin/nologin ${user}`,
    ...(config.group === null ? [] : [`Put it in the ERP's group (configuration "group"): sudo usermod -aG ${sh(config.group)} ${user}`]),
    `Give it the data root${extraWritable.length ? ' and the folders it writes outside it' : ''} ` +
      `(made by whoever ran turnkey init): sudo chown -R ${user} ${[config.dataRoot, ...extraWritable].map(sh).join(' ')}`,
    `It must be able to read node (${install.nodePath}), turnkey (${install.binPath}), the configuration and the files it names ` +
      '(certificates, secrets): a node or a checkout in a home folder (nvm) usually is not readable by another user.',
    ...(secretEnv.length
      ? [
          `The configuration reads ${secretEnv.join(', ')} from the environment: put NAME=value lines in a root-only file ` +
            '(sudo install -m 0600 /dev/null /etc/turnkey/turnkey.env after sudo mkdir -p /etc/turnkey), and add ' +
            '"EnvironmentFile=/etc/turnkey/turnkey.env" under [Service] (sudo systemctl edit turnkey).',
        ]
      : []),
    `Install and start it: sudo install -m 0644 ${sh(unitPath)} /etc/systemd/system/${SERVICE_NAME}.service && ` +
      `sudo systemctl daemon-reload && sudo systemctl enable --now ${SERVICE_NAME}`,
    `Watch it: systemctl status ${SERVICE_NAME}; its log lines: journalctl -u ${SERVICE_NAME} -f. ` +
      `systemctl stop ${SERVICE_NAME} drains it (up to ${stopTimeoutSeconds(config.daemon.drainTimeoutSeconds)} s).`,
  ];
  return { kind: 'systemd', files: [{ path: unitPath, content }], steps };
}

/** Where node-windows keeps WinSW. */
export interface WinswBinary {
  exe: string;
  /** Lets WinSW 1 (built for .NET 2) run on the .NET 4 every supported Windows has. */
  exeConfig: string;
}

/**
 * The WinSW service for this install: `turnkey-service.xml` beside a copy of WinSW named
 * `turnkey-service.exe` (WinSW reads the XML of its own name), and the steps. `path` is the flavour of
 * the paths in `install` (path.win32 on Windows; tests pass it to make Windows files on Linux). `winsw`
 * is null only for a dry run without node-windows.
 */
export function planWindows(install: Install, winsw: WinswBinary | null, path: PlatformPath): ServicePlan {
  const { config } = install;
  const outDir = install.outDir ?? path.join(config.dataRoot, 'service');
  const logDir = path.join(config.dataRoot, 'logs');
  const xmlPath = path.join(outDir, `${WINSW_BASENAME}.xml`);
  const exePath = path.join(outDir, `${WINSW_BASENAME}.exe`);
  const content = winswConfig({
    id: SERVICE_NAME,
    name: 'turnkey (e-invoices)',
    description: DESCRIPTION,
    nodePath: install.nodePath,
    nodeFlags: install.nodeFlags,
    binPath: install.binPath,
    configFile: config.configFile,
    dataRoot: config.dataRoot,
    logDir,
    drainTimeoutSeconds: config.daemon.drainTimeoutSeconds,
  });
  const exe = cmdWord(exePath);
  const secretEnv = secretEnvNames(config);
  const steps = [
    ...(winsw === null ? [`node-windows, which brings WinSW, is not installed (the real run refuses without it): ${WINSW_FIX}`] : []),
    `In a Command Prompt run as administrator: ${exe} install (registers the service "${SERVICE_NAME}": started at boot, ` +
      'restarted after a failure)',
    `Start it: ${exe} start (or: net start ${SERVICE_NAME})`,
    `Its log lines: ${path.join(logDir, `${WINSW_BASENAME}.out.log`)} (and .err.log), rolled at ${LOG_ROLL_KIB / 1024} MiB, ` +
      `${LOG_KEEP_FILES} kept; WinSW's own: ${WINSW_BASENAME}.wrapper.log there.`,
    `It runs as LocalSystem. For an account of its own, give it the data root (icacls ${cmdWord(config.dataRoot)} ` +
      '/grant "<account>:(OI)(CI)F") and set it in services.msc, the service\'s Log On tab.',
    ...(secretEnv.length
      ? [
          `The configuration reads ${secretEnv.join(', ')} from the environment, which a service does not share with your ` +
            `session: set them for the service only (registry value Environment, REG_MULTI_SZ NAME=value, of ` +
            `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${SERVICE_NAME}), or use { "file": … } secrets.`,
        ]
      : []),
    `${exe} stop (or net stop ${SERVICE_NAME}) sends Ctrl+C and waits up to ` +
      `${stopTimeoutSeconds(config.daemon.drainTimeoutSeconds)} s for the drain; ${exe} uninstall removes the service.`,
  ];
  return {
    kind: 'windows',
    files: [
      { path: xmlPath, content },
      { path: exePath, copiedFrom: winsw?.exe ?? null },
      { path: `${exePath}.config`, copiedFrom: winsw?.exeConfig ?? null },
    ],
    steps,
  };
}

const WINSW_FIX =
  'on the Windows server, in the folder turnkey is installed in, run npm install --no-save node-windows@0.1.14 ' +
  '(a Windows-only package, so never installed elsewhere), then run this command again there.';

/**
 * WinSW's executable, from the npm package node-windows (its bin/winsw/): nothing is downloaded from
 * anywhere else. node-windows is a Windows-only package, so it is absent on other systems.
 */
export function locateWinsw(resolve: (id: string) => string = createRequire(import.meta.url).resolve): WinswBinary {
  let manifest: string;
  try {
    manifest = resolve('node-windows/package.json');
  } catch (cause) {
    throw new ServiceError('winsw-missing', "WinSW's executable comes with the npm package node-windows, which is not installed.", {
      cause,
      hint: WINSW_FIX,
    });
  }
  const dir = join(dirname(manifest), 'bin', 'winsw');
  const binary = { exe: join(dir, 'winsw.exe'), exeConfig: join(dir, 'winsw.exe.config') };
  for (const file of [binary.exe, binary.exeConfig]) {
    if (!existsSync(file))
      throw new ServiceError('winsw-missing', `node-windows is installed but ${file} is missing.`, { hint: WINSW_FIX });
  }
  return binary;
}

/** bin/turnkey: from src/service/ and from dist/service/ alike. */
export function turnkeyBinPath(): string {
  return fileURLToPath(new URL('../../bin/turnkey', import.meta.url));
}

/** The flags bin/turnkey's first line gives node, read at run time so that the service can never drift from it. */
export function readNodeFlags(binPath: string): string[] {
  const firstLine = readFileSync(binPath, 'utf8').split('\n', 1)[0]!;
  return nodeFlagsFromShebang(firstLine.replace(/\r$/, ''));
}

/** `#!/usr/bin/env -S node --expose-gc` → ['--expose-gc']; `#!/usr/bin/node --a` → ['--a']. */
export function nodeFlagsFromShebang(line: string): string[] {
  const match = /^#!\s*(\S+)(.*)$/.exec(line);
  const words = (match?.[2] ?? '').split(/\s+/).filter((w) => w !== '');
  let interpreter = match?.[1];
  if (interpreter !== undefined && /(^|\/)env$/.test(interpreter)) {
    while (words[0]?.startsWith('-')) words.shift(); // env's own options (-S)
    interpreter = words.shift();
  }
  if (interpreter === undefined || !/(^|\/)node$/.test(interpreter)) {
    throw new ServiceError('service-shebang', `bin/turnkey's first line does not run node: ${JSON.stringify(line)}.`);
  }
  return words;
}

/**
 * Writes the plan's files, the folder made if needed (0700, as everything under the data root). An
 * existing file is never overwritten unless `force`, and then none is written at all.
 */
export function writeServiceFiles(plan: ServicePlan, options: { force: boolean }): void {
  if (!options.force) {
    const existing = plan.files.filter((f) => existsSync(f.path)).map((f) => f.path);
    if (existing.length > 0) {
      throw new ServiceError('service-file-exists', `${existing.join(', ')} ${existing.length === 1 ? 'exists' : 'exist'} already.`, {
        hint: 'See what would be written with --dry-run; --force replaces the files.',
      });
    }
  }
  for (const folder of new Set(plan.files.map((f) => dirname(f.path)))) mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const file of plan.files) {
    if (file.content !== undefined) {
      // wx: a file that appeared since the check is not overwritten either.
      writeFileSync(file.path, file.content, { mode: 0o600, flag: options.force ? 'w' : 'wx' });
    } else if (file.copiedFrom) {
      copyFileSync(file.copiedFrom, file.path, options.force ? 0 : constants.COPYFILE_EXCL);
    } else {
      throw new ServiceError('winsw-missing', `Nothing to copy to ${file.path}: node-windows is not installed.`, { hint: WINSW_FIX });
    }
  }
}

/** Environment variables the configuration reads secrets from. */
function secretEnvNames(config: ServiceConfig): string[] {
  const refs: SecretRef[] = (config.platform?.senders ?? []).flatMap((s) => [s.transport.password, s.certificate.password]);
  return [...new Set(refs.flatMap((r) => (typeof r === 'object' && 'env' in r ? [r.env] : [])))];
}

/** Files and folders the daemon reads besides its data root. */
function readPaths(config: ServiceConfig): string[] {
  const paths: string[] = [];
  if (config.validation.schemasDir !== null) paths.push(config.validation.schemasDir);
  for (const feed of config.maintenance.feeds) if (feed.kind === 'file') paths.push(feed.location);
  if (config.platform !== null) {
    paths.push(config.platform.sftp.knownHostsFile);
    for (const s of config.platform.senders) {
      paths.push(s.certificate.pfx);
      for (const r of [s.transport.password, s.certificate.password]) if (typeof r === 'object' && 'file' in r) paths.push(r.file);
    }
  }
  return paths;
}

function isInside(path: PlatformPath, parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A word for a POSIX shell: single-quoted unless it is plain. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A path for cmd.exe: quoted when it holds a space or a character cmd would read. */
function cmdWord(word: string): string {
  return /^[A-Za-z0-9_:.\\/-]+$/.test(word) ? word : `"${word}"`;
}
