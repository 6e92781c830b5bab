/**
 * `npm run bench:sim`: how many invoices per second the platform simulator accepts and processes.
 * Packs of 1,000 small valid F0401s are built and signed first (not timed); then each is uploaded
 * over the simulator's real SFTP server and notified over its real HTTP gateway, and the clock
 * stops when the last pack's results are written. Every invoice must be accepted exactly once.
 * Usage: npm run bench:sim -- [--packs N (20)] [--workers N (default: one per core, 1-4)] [--zip]
 * `--zip` sends each pack zipped (one Deflate entry, as Turnkey's zip option does).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type SFTPWrapper } from 'ssh2';
import { request } from 'undici';
import { armor } from '../protocol/armor.js';
import { generateTestCertificate, loadPfx, signEnvelope } from '../protocol/cms/index.js';
import { serializeEnvelope } from '../protocol/envelope/index.js';
import { formatCommonName, formatSignedFileName } from '../protocol/names.js';
import { zipSignedFile } from '../protocol/zip.js';
import { startSimulator } from '../sim/index.js';
import { DEFAULT_SELLER_ID, f0401Xml, invoiceNumber } from '../mig/F0401Factory.js';

const PACK_SIZE = 1_000;
const TRANSPORT_ID = 'BENCH01';
const PASSWORD = 'bench-only-password';

interface SignedPack {
  commonName: string;
  armored: Buffer;
  /** What is uploaded: the armored file, or its ZIP. */
  file: Buffer;
}

interface BenchOptions {
  packs: number;
  workers: number | undefined;
  zip: boolean;
}

function parseArgs(args: string[]): BenchOptions {
  const options: BenchOptions = { packs: 20, workers: undefined, zip: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${arg} takes a whole number`);
      return n;
    };
    if (arg === '--packs') options.packs = Math.max(1, value());
    else if (arg === '--workers') options.workers = value();
    else if (arg === '--zip') options.zip = true;
    else throw new Error(`unknown argument ${arg}; usage: npm run bench:sim -- [--packs N] [--workers N] [--zip]`);
  }
  return options;
}

async function main(): Promise<void> {
  const { packs, workers, zip } = parseArgs(process.argv.slice(2));
  const dataDir = mkdtempSync(join(tmpdir(), 'turnkey-bench-sim-'));
  const certificate = generateTestCertificate({ commonName: 'Bench Merchant', password: PASSWORD });
  const identity = loadPfx(certificate.pfx, PASSWORD);

  const signed: SignedPack[] = [];
  for (let p = 0; p < packs; p++) {
    const messages = Array.from({ length: PACK_SIZE }, (_, i) => f0401Xml({ number: invoiceNumber(p * PACK_SIZE + i, 'BE') }));
    const envelope = serializeEnvelope({
      routing: {
        from: { id: DEFAULT_SELLER_ID },
        fromVac: { id: DEFAULT_SELLER_ID },
        to: { id: '0000000000' },
        toVac: { id: '0000000000' },
      },
      messageType: 'F0401',
      messages,
    });
    const commonName = formatCommonName({ migVersion: '4.1', messageType: 'F0401', at: new Date(), uuid: randomUUID() });
    const armored = armor(signEnvelope(envelope, identity));
    const file = zip
      ? zipSignedFile(
          formatSignedFileName({ source: `bench_${p}.xml`, from: DEFAULT_SELLER_ID, to: '0000000000', commonName, count: PACK_SIZE }),
          armored,
        )
      : armored;
    signed.push({ commonName, armored, file });
  }

  const sim = await startSimulator({
    dataDir,
    accounts: [
      {
        transportId: TRANSPORT_ID,
        password: PASSWORD,
        partyId: DEFAULT_SELLER_ID,
        routingId: DEFAULT_SELLER_ID,
        certificates: [certificate.certificatePem],
      },
    ],
    ...(workers !== undefined && { processingWorkers: workers }),
  });
  const connection = new ssh2.Client();
  try {
    await new Promise<void>((resolve, reject) => {
      connection
        .once('ready', resolve)
        .once('error', reject)
        .connect({
          host: '127.0.0.1',
          port: sim.sftp.port,
          username: TRANSPORT_ID,
          password: PASSWORD,
          hostVerifier: (key: Buffer) => `${sim.hostKey.algorithm} ${key.toString('base64')}` === sim.hostKey.publicKey,
        });
    });
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) => connection.sftp((e, s) => (e ? reject(e) : resolve(s))));

    let written = 0;
    const allWritten = new Promise<void>((resolve) => {
      sim.events.on('results', ({ copy }) => {
        if (copy === 1 && ++written === packs) resolve();
      });
    });
    const start = process.hrtime.bigint();
    for (const pack of signed) {
      await upload(sftp, `in/${pack.commonName}`, pack.file);
      await notify(sim.gateway.url, pack);
    }
    const uploaded = process.hrtime.bigint();
    await allWritten;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const uploadSeconds = Number(uploaded - start) / 1e9;

    const stats = sim.stats();
    const invoices = packs * PACK_SIZE;
    if (stats.messages.accepted !== invoices || stats.messages.rejected + stats.messages.duplicate !== 0) {
      throw new Error(`expected ${invoices} accepted, got ${JSON.stringify(stats.messages)}: the benchmark input is wrong`);
    }
    console.log(
      `${packs} packs of ${PACK_SIZE} F0401, ${signed[0]!.armored.length} bytes signed ` +
        `each${zip ? `, zipped to ${signed[0]!.file.length}` : ' (not zipped)'}; processing workers: ${workers ?? 'default'}`,
    );
    console.log(`uploaded and notified in ${uploadSeconds.toFixed(2)} s; all results written after ${seconds.toFixed(2)} s`);
    console.log(`${Math.round(invoices / seconds)} invoices/s accepted and processed through SFTP + gateway`);
  } finally {
    connection.end();
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Writes a buffer with many writes in flight, as `fastPut` does for files (one write per round trip is slow). */
async function upload(sftp: SFTPWrapper, path: string, bytes: Buffer): Promise<void> {
  const handle = await new Promise<Buffer>((resolve, reject) => sftp.open(path, 'w', (e, h) => (e ? reject(e) : resolve(h))));
  const chunk = 32 * 1024;
  let next = 0;
  const writer = async () => {
    while (next < bytes.length) {
      const offset = next;
      next += chunk;
      const length = Math.min(chunk, bytes.length - offset);
      await new Promise<void>((resolve, reject) => sftp.write(handle, bytes, offset, length, offset, (e) => (e ? reject(e) : resolve())));
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer));
  await new Promise<void>((resolve, reject) => sftp.close(handle, (e) => (e ? reject(e) : resolve())));
}

async function notify(gatewayUrl: string, pack: SignedPack): Promise<void> {
  const party = { partyInfo: { partyId: DEFAULT_SELLER_ID }, routingInfo: { routingId: DEFAULT_SELLER_ID } };
  const platform = { partyInfo: { partyId: '0000000000' }, routingInfo: { routingId: '0000000000' } };
  const body = JSON.stringify({
    loginId: TRANSPORT_ID,
    loginPassword: PASSWORD,
    transFrom: party,
    transTo: platform,
    serviceType: 'S',
    messageType: 'F0401',
    action: 'C0401',
    quantity: PACK_SIZE,
    migVersion: '4.1',
    filename: pack.commonName,
    size: pack.armored.length,
    zip: pack.file === pack.armored ? '0' : '1',
    retry: 0,
    apiVersion: '3.1.3',
    turnkeyVersion: '3.2.1',
  });
  const response = await request(`${gatewayUrl}/pfs001i/uploadInvoiceMessage`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${TRANSPORT_ID}:${PASSWORD}`).toString('base64')}`,
    },
    body,
  });
  const answer = (await response.body.json()) as { statusCode: number };
  if (response.statusCode !== 200 || answer.statusCode !== 0)
    throw new Error(`notification refused: HTTP ${response.statusCode} ${JSON.stringify(answer)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
