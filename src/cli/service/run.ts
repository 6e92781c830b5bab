import path, { resolve } from 'node:path';
import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { UsageError } from '../../errors/index.js';
import {
  locateWinsw,
  planSystemd,
  planWindows,
  readNodeFlags,
  turnkeyBinPath,
  writeServiceFiles,
  type Install,
  type ServicePlan,
  type WinswBinary,
} from '../../service/installService.js';

export interface ServiceInstallOptions {
  systemd?: boolean;
  windows?: boolean;
  out?: string;
  user?: string;
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
  config?: string;
}

/** `turnkey service install`. */
export function runServiceInstall(options: ServiceInstallOptions): void {
  if (options.systemd === options.windows) throw new UsageError('Give exactly one of --systemd (Linux) and --windows.');
  if (options.windows && options.user !== undefined) {
    throw new UsageError('--user is for --systemd.', {
      hint: 'A Windows service runs as LocalSystem; the steps printed say how to give it an account of its own.',
    });
  }
  if (options.systemd && process.platform === 'win32') throw new UsageError('A systemd unit is for Linux; on Windows use --windows.');
  const config = loadConfig(locateConfig(options.config).path);
  const binPath = turnkeyBinPath();
  const install: Install = {
    config,
    nodePath: process.execPath,
    nodeFlags: readNodeFlags(binPath),
    binPath,
    ...(options.out !== undefined && { outDir: resolve(options.out) }),
  };
  const dryRun = options.dryRun === true;
  let plan: ServicePlan;
  if (options.systemd) {
    plan = planSystemd(install, options.user ?? 'turnkey');
  } else {
    let winsw: WinswBinary | null = null;
    try {
      winsw = locateWinsw();
    } catch (err) {
      // A dry run shows the files anyway, and says what is missing.
      if (!dryRun) throw err;
    }
    plan = planWindows(install, winsw, path);
  }
  if (!dryRun) writeServiceFiles(plan, { force: options.force === true });
  process.stdout.write(options.json ? `${JSON.stringify({ ...plan, dryRun }, null, 2)}\n` : formatPlan(plan, dryRun));
}

function formatPlan(plan: ServicePlan, dryRun: boolean): string {
  const out: string[] = [];
  for (const file of plan.files) {
    if (file.content !== undefined) {
      out.push(dryRun ? `--- ${file.path} (not written: --dry-run)` : `Wrote ${file.path}`);
      if (dryRun) out.push(file.content.replace(/\r\n/g, '\n').trimEnd(), '');
    } else {
      const from = file.copiedFrom === null ? 'node-windows, which is not installed' : file.copiedFrom;
      out.push(dryRun ? `--- ${file.path} (not copied: --dry-run), from ${from}` : `Copied ${from} to ${file.path}`);
    }
  }
  out.push('', plan.kind === 'systemd' ? 'Then, on this server:' : 'Then, on this Windows server:');
  plan.steps.forEach((step, i) => out.push(`  ${i + 1}. ${step}`));
  return `${out.join('\n')}\n`;
}
