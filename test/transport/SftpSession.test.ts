import { describe, expect, it } from 'vitest';
import { SftpSession } from '../../src/transport/sftp/SftpSession.js';
import { simSftpSettings, startFixture } from '../sim/helpers/simFixture.js';

describe('SftpSession on loopback', () => {
  it('answers a round trip in well under 10 ms: TCP_NODELAY on both ends (Nagle against delayed ACKs costs 40-90 ms)', async () => {
    const fixture = await startFixture();
    const session = await SftpSession.connect(simSftpSettings(fixture));
    try {
      await session.upload('in/warm.txt', Buffer.from('warm up'));
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const started = performance.now();
        await session.list('out');
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      // A list is three round trips. The delay Nagle causes is in every list; the machine's other work
      // (the suite runs end-to-end tests beside this one) is not, so the lower quartile is what is weighed.
      const lowerQuartile = times[7]!;
      expect(lowerQuartile).toBeLessThan(10);
    } finally {
      session.close();
      await fixture.close();
    }
  });

  it("pays one simulated round trip per request with the simulator's latencyMs, and several requests in flight wait together", async () => {
    const fixture = await startFixture({ latencyMs: 40 });
    const session = await SftpSession.connect(simSftpSettings(fixture));
    try {
      let started = performance.now();
      await session.list('out'); // opendir, readdir (the end: out/ is empty), close: three round trips
      const one = performance.now() - started;
      expect(one).toBeGreaterThanOrEqual(3 * 40 - 5);
      started = performance.now();
      await Promise.all(Array.from({ length: 8 }, () => session.list('out')));
      expect(performance.now() - started).toBeLessThan(8 * one);
      const gateway = performance.now();
      await fetch(`${fixture.sim.gateway.origin}/stats`);
      expect(performance.now() - gateway).toBeGreaterThanOrEqual(35);
    } finally {
      session.close();
      await fixture.close();
    }
  });
});
