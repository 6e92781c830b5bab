import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { request, type Agent } from 'undici';
import { loadConfig } from '../../config/loadConfig.js';
import { locateConfig } from '../../config/locateConfig.js';
import { readSecret } from '../../config/readSecret.js';
import type { PlatformSettings, TurnkeyConfig } from '../../config/types.js';
import { IntakeLayout } from '../../intake/IntakeLayout.js';
import { loadSigner } from '../../outbound/loadSigner.js';
import { readCaFile } from '../../outbound/Senders.js';
import { Store } from '../../store/Store.js';
import { toTaiwanIso } from '../../time/taiwanTime.js';
import { PlatformLink } from '../../transport/PlatformLink.js';
import { classifyRequestError, gatewayAgent } from '../../transport/gateway/GatewayClient.js';
import { TransportError } from '../../transport/TransportError.js';
import { EXIT } from '../exit.js';

export interface Check {
  name: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix: string | null;
}

const DAY_MS = 86_400_000;

/** `turnkey doctor`: every check runs, whatever the others found; exit 1 if one fails. */
export async function runDoctor(options: { config?: string; json?: boolean; repairCounts?: boolean }): Promise<void> {
  const checks: Check[] = [];
  let config: TurnkeyConfig | null = null;
  try {
    config = loadConfig(locateConfig(options.config).path);
    checks.push(pass('configuration', `${config.configFile} is valid`));
  } catch (err) {
    checks.push(fail('configuration', message(err), (err as { hint?: string }).hint ?? 'Fix the configuration file.'));
  }
  if (config) {
    checks.push(...checkFolders(config));
    checks.push(checkDatabase(config, options.repairCounts === true));
    if (config.platform) {
      checks.push(...checkCertificates(config.platform));
      checks.push(...(await checkPlatform(config)));
    } else {
      checks.push(skip('platform', 'no platform is configured: nothing is sent'));
    }
  }
  const ok = !checks.some((c) => c.status === 'fail');
  if (options.json) process.stdout.write(`${JSON.stringify({ ok, checks }, null, 2)}\n`);
  else {
    for (const c of checks) {
      process.stdout.write(`${c.status.toUpperCase().padEnd(4)}  ${c.name}: ${c.detail}\n`);
      if (c.fix && c.status !== 'pass') process.stdout.write(`      fix: ${c.fix}\n`);
    }
    process.stdout.write(ok ? 'all checks passed\n' : 'some checks failed\n');
  }
  process.exitCode = ok ? EXIT.ok : EXIT.findings;
}

function checkFolders(config: TurnkeyConfig): Check[] {
  const checks: Check[] = [];
  try {
    const info = statSync(config.dataRoot);
    accessSync(config.dataRoot, constants.W_OK);
    const open = process.platform !== 'win32' && (info.mode & 0o007) !== 0;
    checks.push(
      open
        ? warn(
            'data root',
            `${config.dataRoot} is open to other users (mode ${(info.mode & 0o777).toString(8)})`,
            'Start the daemon once: it makes the data root owner-only (or shares it with the configured group only).',
          )
        : pass('data root', `${config.dataRoot} is writable and not open to others`),
    );
  } catch (err) {
    checks.push(fail('data root', message(err), `Create ${config.dataRoot} (turnkey init) and give it to the user running turnkey.`));
    return checks;
  }
  const layout = new IntakeLayout(config.dataRoot, config.intake.messageTypes);
  const unusable = layout.folders.filter((f) => {
    try {
      accessSync(f.src, constants.W_OK);
      return false;
    } catch {
      return true;
    }
  });
  checks.push(
    unusable.length === 0
      ? pass('drop folders', `${layout.folders.length} SRC folder(s) are there and writable`)
      : fail(
          'drop folders',
          `not there or not writable: ${unusable.map((f) => f.src).join(', ')}`,
          'Start the daemon once (it makes them), or make them writable by the user running turnkey.',
        ),
  );
  return checks;
}

function checkDatabase(config: TurnkeyConfig, repair: boolean): Check {
  if (!existsSync(config.database))
    return fail('database', `no database at ${config.database}`, 'Run `turnkey init`, or `turnkey start` once.');
  const store = repair ? Store.open(config.database) : Store.openReadOnly(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
  try {
    const db = store.db;
    const quick = db.pragma('quick_check', { simple: true }) as string;
    if (quick !== 'ok')
      return fail('database', `integrity check: ${quick}`, 'Stop the daemon, restore the database from a backup, and call for help.');
    if ((db.pragma('user_version', { simple: true }) as number) < 8) return pass('database', 'integrity check passed');
    const off = db
      .prepare(
        `SELECT count(*) FROM (SELECT message_type, state, count(*) AS n FROM messages GROUP BY 1, 2) g
           LEFT JOIN message_counts c USING (message_type, state) WHERE c.n IS NOT g.n`,
      )
      .pluck()
      .get() as number;
    if (off === 0) return pass('database', 'integrity check passed; message counts match');
    if (!repair) return fail('database', `${off} message count(s) do not match the messages`, 'Run `turnkey doctor --repair-counts`.');
    db.transaction(() => {
      db.exec('DELETE FROM message_counts');
      db.exec('INSERT INTO message_counts SELECT message_type, state, count(*) FROM messages GROUP BY message_type, state');
    }).immediate();
    return pass('database', `integrity check passed; ${off} message count(s) rebuilt`);
  } finally {
    store.close();
  }
}

function checkCertificates(platform: PlatformSettings): Check[] {
  return platform.senders.map((sender, i) => {
    const name = `certificate of ${sender.partyId}`;
    try {
      const signer = loadSigner(sender, platform.senders.length > 1 ? `platform.senders[${i}]` : 'platform');
      const daysLeft = Math.floor((signer.notAfter.getTime() - Date.now()) / DAY_MS);
      const what = `${signer.subject}, key matches, valid until ${toTaiwanIso(signer.notAfter)}`;
      if (daysLeft < 0)
        return fail(name, `${what}: EXPIRED`, 'Renew the certificate, register the new .cer on the platform, configure the new .pfx.');
      if (daysLeft <= 30)
        return warn(name, `${what}: ${daysLeft} day(s) left`, 'Renew it now and register the new .cer on the platform before it expires.');
      return pass(name, `${what} (${daysLeft} days left)`);
    } catch (err) {
      return fail(name, message(err), (err as { hint?: string }).hint ?? 'Check certificate.pfx and certificate.password.');
    }
  });
}

async function checkPlatform(config: TurnkeyConfig): Promise<Check[]> {
  const platform = config.platform!;
  const sandbox = platform.mode === 'sandbox';
  const checks: Check[] = [];
  let knownHosts: string;
  try {
    knownHosts = readFileSync(platform.sftp.knownHostsFile, 'utf8');
  } catch (err) {
    return [fail('platform SFTP', message(err), "Write the platform's host key into platform.sftp.knownHostsFile.")];
  }
  const tried = new Set<string>();
  for (const sender of platform.senders) {
    if (tried.has(sender.transport.id)) continue;
    tried.add(sender.transport.id);
    const name = `platform SFTP (${sender.transport.id})`;
    let link: PlatformLink | null = null;
    try {
      link = new PlatformLink({
        host: platform.sftp.host,
        port: platform.sftp.port,
        username: sender.transport.id,
        password: readSecret(sender.transport.password, 'platform.transport.password'),
        knownHosts,
        timeoutMs: Math.min(platform.sftp.timeoutSeconds, 20) * 1000,
        ...(platform.sftp.algorithms && { algorithms: platform.sftp.algorithms }),
      });
      const files = await link.list('out');
      checks.push(
        pass(name, `${platform.sftp.host}:${platform.sftp.port}: host key matches, login works, out/ holds ${files.length} file(s)`),
      );
    } catch (err) {
      checks.push(platformFailure(name, err, sandbox));
    } finally {
      await link?.close();
    }
  }
  checks.push(...(await checkGateway(config, sandbox)));
  return checks;
}

/** The gateway answers (any HTTP answer will do: nothing is notified), and its clock agrees with ours. */
async function checkGateway(config: TurnkeyConfig, sandbox: boolean): Promise<Check[]> {
  const gateway = config.platform!.gateway;
  const origin = new URL(gateway.baseUrl).origin;
  // Through the daemon's own connection settings: its certificate checks and extra CA, whatever the environment says.
  let agent: Agent | null = null;
  try {
    agent = gatewayAgent({
      connectTimeoutMs: 10_000,
      totalTimeoutMs: 10_000,
      extraCaPem: gateway.caFile === null ? null : readCaFile(gateway.caFile),
    });
    const sent = Date.now();
    let response;
    try {
      response = await request(origin, { method: 'GET', dispatcher: agent, signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      throw classifyRequestError(err, gateway.baseUrl);
    }
    await response.body.dump();
    const checks = [pass('platform gateway', `${origin} answers (HTTP ${response.statusCode})`)];
    const date = response.headers.date;
    const platformTime = typeof date === 'string' ? Date.parse(date) : Number.NaN;
    if (Number.isNaN(platformTime)) checks.push(skip('clock', 'the gateway sends no Date header to compare the clock with'));
    else {
      // The Date header has whole seconds: a second of difference is none.
      const skew = Math.abs(platformTime - (sent + Date.now()) / 2) / 1000;
      const allowed = config.validation.clockSkewSeconds;
      checks.push(
        skew <= allowed
          ? pass('clock', `within ${Math.ceil(skew)} s of the platform's`)
          : fail(
              'clock',
              `${Math.round(skew)} s off the platform's (more than ${allowed} s)`,
              'Set the server clock by NTP (timedatectl set-ntp true; on Windows, w32tm /resync).',
            ),
      );
    }
    return checks;
  } catch (err) {
    return [platformFailure('platform gateway', err, sandbox)];
  } finally {
    await agent?.close();
  }
}

function platformFailure(name: string, err: unknown, sandbox: boolean): Check {
  const code = err instanceof TransportError ? err.code : ((err as { code?: string }).code ?? '');
  if (sandbox && /connect|ECONNREFUSED/.test(`${code} ${message(err)}`)) {
    return skip(name, 'the sandbox platform runs only while the daemon does (turnkey start)');
  }
  const fixes: Record<string, string> = {
    'sftp-auth': 'Check platform.transport (id and password) against the account the platform gave you.',
    'sftp-host-key': "The platform's host key is not the one in platform.sftp.knownHostsFile: confirm the new key with the platform.",
    'sftp-connect': "Check platform.sftp.host and port, the firewall, and the platform's news.",
    'gateway-tls':
      "Check platform.gateway.baseUrl's host name; for a private CA or a company TLS proxy, give its certificate in " +
      'platform.gateway.caFile.',
  };
  return fail(name, message(err), fixes[code] ?? "Check the host and port in the configuration, the network, and the platform's news.");
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const pass = (name: string, detail: string): Check => ({ name, status: 'pass', detail, fix: null });
const warn = (name: string, detail: string, fix: string): Check => ({ name, status: 'warn', detail, fix });
const fail = (name: string, detail: string, fix: string): Check => ({ name, status: 'fail', detail, fix });
const skip = (name: string, detail: string): Check => ({ name, status: 'skip', detail, fix: null });
