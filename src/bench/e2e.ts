/**
 * `npm run bench:e2e [-- N] [--set JSON] [--latency MS]`: N invoices (20,000 by default) dropped into SRC with the daemon and
 * the platform simulator running as separate processes on loopback (the daemon configured as for
 * the real platform: mode remote, SFTP + PFS001, synchronous=FULL). Reports invoices/s from the
 * first drop to all `confirmed`, the p50/p95 latency from drop to `uploaded`, and the daemon's peak
 * RSS. `--latency MS`: the simulator answers every SFTP and gateway request MS later, as a real
 * link of that round trip would (its `latencyMs`). `--openssh`: the daemon's SFTP goes to OpenSSH's own
 * sftp-server (sshd on a loopback port, a throw-away user, internal-sftp in the simulator's account
 * folder; root and Debian's openssh-server needed) while the simulator serves the gateway.
 * `--trickle MS`: one invoice every MS instead of a burst (a shop's pace), and the latency from each
 * drop to `confirmed` as well. `--sandbox`: the sandbox as a user starts it (`turnkey init`, then
 * `npm start`'s `node bin/turnkey start`, without the shebang's flags; the daemon starts the
 * simulator as its own process), with the simulator's peak RSS and CPU beside the daemon's.
 * `--warm N`: N other invoices are dropped first and confirmed before the measured ones, so that
 * what a daemon pays once after it starts (V8 compiling its code to optimized machine code, on
 * helper threads) is not counted: the steady state of a daemon that runs for months.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initDataRoot } from '../cli/init/initDataRoot.js';
import { createSandbox } from '../sandbox/createSandbox.js';
import { freeLoopbackPorts } from '../sandbox/freeLoopbackPorts.js';
import { SimLayout } from '../sim/storage/SimLayout.js';
import { OpenSshServer, opensshUnavailable } from './OpenSshServer.js';
import {
  benchNodeArgs,
  childPids,
  cpuSeconds,
  cpuSecondsSince,
  daemonNodeArgs,
  mergeSettings,
  peakRss,
  settingOverrides,
  sleep,
  stop,
  threadCpuSeconds,
  waitForDatabaseRunning,
} from './benchProcess.js';
import { f0401Xml, invoiceNumber } from '../mig/F0401Factory.js';

const BIN = fileURLToPath(new URL('../../bin/turnkey', import.meta.url));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const valued = new Set(['--latency', '--trickle', '--warm']);
  const count = Number(args.find((a, i) => /^\d+$/.test(a) && !valued.has(args[i - 1]!)) ?? 20_000);
  const warmAt = args.indexOf('--warm');
  const warm = warmAt >= 0 ? Number(args[warmAt + 1]) : 0;
  const overrides = settingOverrides(args);
  const latencyAt = args.indexOf('--latency');
  const latencyMs = latencyAt >= 0 ? Number(args[latencyAt + 1]) : 0;
  const openssh = args.includes('--openssh');
  const sandbox = args.includes('--sandbox');
  const trickleAt = args.indexOf('--trickle');
  const trickleMs = trickleAt >= 0 ? Number(args[trickleAt + 1]) : null;
  if (sandbox && (openssh || latencyMs > 0)) {
    throw new Error('--sandbox runs the platform as `turnkey init` sets it up: no --openssh or --latency');
  }
  if (openssh && opensshUnavailable()) throw new Error(`--openssh: ${opensshUnavailable()}`);
  const sshAccount = openssh ? OpenSshServer.createUser() : null;
  let sshd: OpenSshServer | null = null;
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'turnkey-bench-e2e-'));
  const children: ChildProcess[] = [];
  try {
    const created = await initDataRoot(join(root, 'data'), { sandbox });
    const config = JSON.parse(readFileSync(created.configFile, 'utf8')) as Record<string, unknown>;
    let sellerId: string;
    let simPid: number | null = null;
    // The simulator's two ports and sshd's, asked for at once so that they differ.
    const [sftp, gateway, ssh] = await freeLoopbackPorts(3);
    const sshPort = openssh ? ssh! : 0;
    if (sandbox) {
      sellerId = (config.platform as { partyId: string }).partyId;
      mergeSettings(config, overrides);
      writeFileSync(created.configFile, JSON.stringify(config, null, 2));
    } else {
      const platform = createSandbox(created.dataRoot, { sftp: sftp!, gateway: gateway! });
      sellerId = platform.partyId;
      // The daemon talks to the simulator as to the real platform; the simulator runs on its own.
      config.platform = { ...platform, mode: 'remote' };
      if (sshAccount) {
        writeFileSync(join(created.dataRoot, 'known_hosts_openssh'), `${OpenSshServer.hostKey(root, sshPort!)}\n`);
        config.platform = {
          ...(config.platform as object),
          transport: { id: sshAccount.user, password: sshAccount.password },
          sftp: { ...platform.sftp, port: sshPort, knownHostsFile: join(created.dataRoot, 'known_hosts_openssh') },
        };
      }
      mergeSettings(config, overrides);
      writeFileSync(created.configFile, JSON.stringify(config, null, 2));
      const gatewayUrl = new URL(platform.gateway.baseUrl);
      const simConfig = join(created.dataRoot, 'sim.config.json');
      writeFileSync(
        simConfig,
        JSON.stringify({
          dataDir: 'sim',
          latencyMs,
          sftp: { port: platform.sftp.port },
          gateway: { port: Number(gatewayUrl.port) },
          accounts: [
            {
              transportId: sshAccount?.user ?? platform.transport.id,
              passwordEnv: 'SANDBOX_TRANSPORT_PASSWORD',
              partyId: sellerId,
              routingId: platform.routingId,
              certificates: ['secrets/sandbox.cer'],
            },
          ],
        }),
      );
      const transportPassword = sshAccount?.password ?? readFileSync(join(created.dataRoot, 'secrets/transport.password'), 'utf8').trim();
      // init made this process's umask 077; OpenSSH's sftp user must read the results the simulator writes.
      const umask = sshAccount ? process.umask(0o022) : null;
      const simLog = openSync(join(root, 'sim.log'), 'w');
      const sim = spawn(process.execPath, [...benchNodeArgs(), BIN, 'sim', '--config', simConfig, '--log-level', 'warn'], {
        stdio: ['ignore', simLog, simLog],
        env: { ...process.env, SANDBOX_TRANSPORT_PASSWORD: transportPassword },
      });
      if (umask !== null) process.umask(umask);
      children.push(sim);
      simPid = sim.pid ?? null;
      await waitForPort(Number(gatewayUrl.port), sim);
    }

    const src = created.srcFolders.find((f) => f.includes('F0401'))!;
    const staging = join(root, 'staging');
    mkdirSync(staging);
    for (let i = 0; i < count; i++)
      writeFileSync(join(staging, `${invoiceNumber(i, 'BE')}.xml`), f0401Xml({ number: invoiceNumber(i, 'BE'), sellerId }));

    const daemonLog = openSync(join(root, 'daemon.log'), 'w');
    const daemon = spawn(process.execPath, [...daemonNodeArgs({ exposeGc: !sandbox }), BIN, 'start', '--config', created.configFile], {
      stdio: ['ignore', daemonLog, daemonLog],
    });
    children.push(daemon);
    const db = await waitForDatabaseRunning(created.database, daemon);
    // A sandbox daemon starts its simulator as a child process.
    if (sandbox) simPid = await waitForChild(daemon);
    if (sshAccount) {
      // The daemon made its data root owner-only; the simulator's folder is inside it: open the way for the sftp user.
      const simDir = join(created.dataRoot, 'sim');
      for (const path of [root, created.dataRoot, simDir]) chmodSync(path, 0o755);
      sshd = await OpenSshServer.start(root, new SimLayout(simDir).accountRoot(sshAccount.user), sshPort!, sshAccount);
    }

    const confirmed = db.prepare("SELECT count(*) FROM messages WHERE state = 'confirmed'").pluck();
    const stuck = db.prepare("SELECT count(*) FROM messages WHERE state IN ('rejected', 'failed', 'invalid')").pluck();
    const allConfirmed = async (expected: number): Promise<void> => {
      for (;;) {
        if (daemon.exitCode !== null) throw new Error(`the daemon exited; see ${join(root, 'daemon.log')}`);
        if ((confirmed.get() as number) === expected) return;
        if ((stuck.get() as number) > 0) throw new Error(`some messages did not confirm; see ${join(root, 'daemon.log')}`);
        await sleep(100);
      }
    };
    if (warm > 0) {
      const warmStaging = join(root, 'warm');
      mkdirSync(warmStaging);
      for (let i = 0; i < warm; i++) {
        const name = `${invoiceNumber(i, 'BW')}.xml`;
        writeFileSync(join(warmStaging, name), f0401Xml({ number: invoiceNumber(i, 'BW'), sellerId }));
        renameSync(join(warmStaging, name), join(src, name));
      }
      await allConfirmed(warm);
      // The results of the warm-up are told to the ERP (DownCast) before the measured drop.
      await sleep(2000);
    }

    const dropped = new Map<string, number>();
    const start = Date.now();
    const threadsAtDrop = threadCpuSeconds(daemon.pid!);
    const cpuAtDrop = { daemon: cpuSeconds(daemon.pid!), sim: simPid === null ? null : cpuSeconds(simPid) };
    for (const name of readdirSync(staging)) {
      renameSync(join(staging, name), join(src, name));
      dropped.set(name, Date.now());
      if (trickleMs !== null) await sleep(trickleMs);
    }
    await allConfirmed(warm + count);
    const seconds = (Date.now() - start) / 1000;
    // CPU used from the first drop to the last confirmation, by each process (all its threads).
    const cpu = {
      daemon: cpuSecondsSince(daemon.pid!, cpuAtDrop.daemon),
      sim: simPid === null ? null : cpuSecondsSince(simPid, cpuAtDrop.sim),
    };
    const threads = threadMicrosPerInvoice(daemon.pid!, threadsAtDrop, count);
    // Each message's time from its drop to the first time it reached `state`, sorted.
    const latenciesTo = (state: 'uploaded' | 'confirmed'): number[] =>
      (
        db
          .prepare(
            'SELECT m.source_name AS name, min(e.at) AS at FROM message_events e JOIN messages m ON m.id = e.message_id ' +
              'WHERE e.to_state = ? GROUP BY m.id',
          )
          .all(state) as Array<{ name: string; at: number }>
      )
        .filter((r) => dropped.has(r.name))
        .map((r) => r.at - dropped.get(r.name)!)
        .sort((a, b) => a - b);
    const latencies = latenciesTo('uploaded');
    const percentileOf = (values: number[], p: number) =>
      values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]! / 1000;
    const percentile = (p: number) => percentileOf(latencies, p);
    const toConfirmed = latenciesTo('confirmed');
    const rss = peakRss(daemon.pid!);
    const simRss = simPid === null ? null : peakRss(simPid);
    db.close();
    console.log(
      `e2e: ${count} invoices from first drop to all confirmed in ${seconds.toFixed(2)} s: ${Math.round(count / seconds)} invoices/s` +
        (latencyMs > 0 ? ` (a link of ${latencyMs} ms round trip)` : '') +
        (openssh ? ' (SFTP: OpenSSH)' : '') +
        (sandbox ? ' (the sandbox: `turnkey init`, `node bin/turnkey start`)' : '') +
        (warm > 0 ? ` (after ${warm} others, confirmed first)` : ''),
    );
    console.log(`  drop → uploaded: p50 ${percentile(50).toFixed(2)} s, p95 ${percentile(95).toFixed(2)} s`);
    console.log(`  drop → confirmed: p50 ${percentileOf(toConfirmed, 50).toFixed(2)} s, p95 ${percentileOf(toConfirmed, 95).toFixed(2)} s`);
    const mb = (value: number | null) => (value === null ? 'unknown' : `${value.toFixed(1)} MB`);
    console.log(`  daemon peak RSS ${mb(rss)}, simulator ${mb(simRss)}`);
    if (cpu.daemon !== null && cpu.sim !== null)
      console.log(
        `  CPU used meanwhile: daemon ${cpu.daemon.toFixed(1)} s, simulator ${cpu.sim.toFixed(1)} s (${os.availableParallelism()} cores)`,
      );
    console.log(`  daemon CPU by thread, µs per invoice: main ${threads.main}, the others ${threads.others.join(', ') || 'none'}`);
    console.log(
      JSON.stringify({
        bench: 'e2e',
        invoices: count,
        warm,
        latencyMs,
        openssh,
        sandbox,
        seconds,
        perSecond: count / seconds,
        trickleMs,
        p50: percentile(50),
        p95: percentile(95),
        confirmedP50: percentileOf(toConfirmed, 50),
        confirmedP95: percentileOf(toConfirmed, 95),
        peakRssMB: rss,
        simPeakRssMB: simRss,
        cpuDaemonS: cpu.daemon,
        daemonCpuMicrosPerInvoice: cpu.daemon === null ? null : (cpu.daemon * 1e6) / count,
        daemonThreadMicrosPerInvoice: threads,
        cpuSimS: cpu.sim,
      }),
    );
  } finally {
    for (const child of children.reverse()) await stop(child);
    if (sshd) await sshd.stop();
    else if (sshAccount) OpenSshServer.deleteUser(sshAccount.user);
    if (keep) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

/** The pid of the first child process `parent` starts (within 20 s). */
async function waitForChild(parent: ChildProcess): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [pid] = childPids(parent.pid!);
    if (pid !== undefined) return pid;
    if (parent.exitCode !== null || Date.now() > deadline) throw new Error('the sandbox daemon did not start its simulator');
    await sleep(50);
  }
}

/**
 * The daemon's CPU per invoice by thread since `before`: its main thread, then the others (its
 * worker threads, V8's compiler and collector helpers, libuv's pool) from the busiest, those that
 * used any. Linux does not name them; the busiest other is the validation worker, by its share.
 */
function threadMicrosPerInvoice(pid: number, before: ReadonlyMap<number, number>, count: number): { main: number; others: number[] } {
  let main = 0;
  const others: number[] = [];
  for (const [thread, seconds] of threadCpuSeconds(pid)) {
    const micros = Math.round(((seconds - (before.get(thread) ?? 0)) * 1e6) / count);
    if (thread === pid) main = micros;
    else if (micros > 0) others.push(micros);
  }
  return { main, others: others.sort((a, b) => b - a) };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('the simulator exited while starting');
    try {
      await fetch(`http://127.0.0.1:${port}/announcements`);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error('the simulator did not start within 20 s');
      await sleep(50);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
