import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPorts } from '../../src/sandbox/freeLoopbackPorts.js';
import { SimLayout } from '../../src/sim/storage/SimLayout.js';
import { ensureBuilt } from '../helpers/build.js';
import { DEFAULT_SELLER_ID, invoiceNumber } from '../helpers/f0401.js';
import { OpenSshServer, opensshUnavailable } from '../helpers/openssh.js';
import { acceptedOnce, PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

const unavailable = opensshUnavailable();
if (unavailable) console.warn(`test/e2e/openssh.test.ts skips: ${unavailable}`);

/**
 * The platform's SFTP server is not Node: the daemon uploads to and takes results from OpenSSH's
 * own sftp-server (sshd on a loopback port, a throw-away user, internal-sftp in the simulator's
 * account folder), while the simulator serves the gateway and processes what arrives.
 */
describe.skipIf(unavailable !== null)(`the daemon against OpenSSH's sftp-server${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PlatformPair | null = null;
  let sshd: OpenSshServer | null = null;
  let account: { user: string; password: string } | null = null;
  beforeAll(() => ensureBuilt(), 180_000);
  afterEach(async () => {
    await pair?.stop();
    await sshd?.stop();
    pair = null;
    sshd = null;
    account = null;
    dir.cleanup();
  });

  it('sends 500 invoices through OpenSSH and takes every result from it, each accepted once', async () => {
    dir = tempDir('turnkey-openssh-');
    chmodSync(dir.path, 0o755); // the sftp user must reach the simulator's account folder
    const [sshPort] = await freeLoopbackPorts(1);
    account = OpenSshServer.createUser();
    // The simulator's account is the Unix user: the PFS001 notification names the same transport id.
    pair = await PlatformPair.create(dir.path, {
      sim: {
        accounts: [
          {
            transportId: account.user,
            password: account.password,
            partyId: DEFAULT_SELLER_ID,
            routingId: DEFAULT_SELLER_ID,
            certificates: ['merchant.cer'],
          },
        ],
      },
      platform: {
        transport: { id: account.user, password: account.password },
        sftp: { host: '127.0.0.1', port: sshPort, knownHostsFile: 'known_hosts_openssh', timeoutSeconds: 5 },
      },
    });
    writeFileSync(join(dir.path, 'known_hosts_openssh'), `${OpenSshServer.hostKey(dir.path, sshPort!)}\n`);
    await pair.startSim();
    await pair.startDaemon();
    // The daemon makes its data root owner-only at start; here the simulator's folder sits inside it,
    // so the way to it is opened again for the sftp user (on the platform it is another machine), and
    // only then does sshd start (until then the daemon's logins are refused, and tried again).
    for (const path of [dir.path, pair.simDataDir]) chmodSync(path, 0o755);
    const home = new SimLayout(pair.simDataDir).accountRoot(account.user);
    try {
      sshd = await OpenSshServer.start(dir.path, home, sshPort!, account);
    } catch (err) {
      OpenSshServer.deleteUser(account.user); // no server to stop it
      throw err;
    }
    pair.dropInvoices(500);
    expect(await pair.waitForFinal(500, 90_000)).toEqual({ confirmed: 500 });
    const invoices = Array.from({ length: 500 }, (_, i) => ({ type: 'F0401', number: invoiceNumber(i) }));
    expect(acceptedOnce(pair.simStats(), invoices)).toEqual([]);
  }, 180_000);
});
