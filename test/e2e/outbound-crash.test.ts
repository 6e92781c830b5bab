import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OUTBOUND_FAILPOINTS } from '../../src/outbound/outboundFailpoints.js';
import { RESULT_FAILPOINTS } from '../../src/results/resultFailpoints.js';
import { mixedMessages } from '../../src/mig/MessageFactory.js';
import { acceptedOnce, PlatformPair } from '../helpers/platformPair.js';
import { tempDir } from '../helpers/tempDir.js';

/**
 * kill -9 between pack, upload, notify and result-apply: the daemon kills itself at the named
 * failpoint (TURNKEY_FAILPOINTS), is started again without it, and every message of a mix of all
 * seven types still ends confirmed, accepted by the platform exactly once, never sent as a duplicate.
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

  it.each([...Object.keys(OUTBOUND_FAILPOINTS), ...Object.keys(RESULT_FAILPOINTS)])(
    'recovers from a kill at %s',
    async (failpoint) => {
      pair = await PlatformPair.create(dir.path, { outbound: { maxPackMessages: 40 } });
      await pair.startSim();
      const doomed = await pair.startDaemon({ TURNKEY_FAILPOINTS: `${failpoint}@2` });
      const messages = mixedMessages({ invoices: 120 });
      pair.dropMessages(messages);
      const exit = await doomed.exited;
      expect(exit.signal, `the daemon should have killed itself at ${failpoint}`).toBe('SIGKILL');

      await pair.startDaemon();
      expect(await pair.waitForFinal(messages.length, 60_000)).toEqual({ confirmed: messages.length });
      expect(acceptedOnce(pair.simStats(), messages)).toEqual([]);
    },
    120_000,
  );
});
