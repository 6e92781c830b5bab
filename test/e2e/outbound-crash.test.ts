import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OUTBOUND_FAILPOINTS } from '../../src/outbound/outboundFailpoints.js';
import { PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * kill -9 between pack, upload, notify and result-apply: the daemon kills itself at the named
 * failpoint (TURNKEY_FAILPOINTS), is started again without it, and every invoice still ends
 * confirmed, accepted by the platform exactly once, never sent as a duplicate.
 */
describe('sending survives kill -9 at every step', () => {
  let dir: ReturnType<typeof tempDir>;
  let pair: PlatformPair | null = null;

  beforeEach(() => {
    dir = tempDir('turnkey-outbound-crash-');
  });
  afterEach(async () => {
    await pair?.stop();
    pair = null;
    dir.cleanup();
  });

  it.each(Object.keys(OUTBOUND_FAILPOINTS))('recovers from a kill at %s', async (failpoint) => {
    pair = await PlatformPair.create(dir.path, { outbound: { maxPackMessages: 40 } });
    await pair.startSim();
    const doomed = await pair.startDaemon({ TURNKEY_FAILPOINTS: `${failpoint}@2` });
    const numbers = pair.dropInvoices(200);
    const exit = await doomed.exited;
    expect(exit.signal, `the daemon should have killed itself at ${failpoint}`).toBe('SIGKILL');

    await pair.startDaemon();
    expect(await pair.waitForFinal(200, 60_000)).toEqual({ confirmed: 200 });
    const stats = pair.simStats();
    const byNumber = new Map(stats.invoices.map((i) => [i.number, i]));
    for (const number of numbers) expect(byNumber.get(number), number).toMatchObject({ accepted: 1, duplicate: 0 });
  }, 120_000);
});
