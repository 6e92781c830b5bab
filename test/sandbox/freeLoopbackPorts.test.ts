import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralPortRange, freeLoopbackPorts, stablePortCandidates } from '../../src/sandbox/freeLoopbackPorts.js';

describe('ports a configuration keeps', () => {
  it("reads Linux's ephemeral range, and assumes IANA's where there is none", () => {
    expect(ephemeralPortRange(() => '32768\t60999\n')).toEqual({ low: 32768, high: 60999 });
    expect(
      ephemeralPortRange(() => {
        throw new Error('ENOENT');
      }),
    ).toEqual({ low: 49152, high: 65535 });
    expect(ephemeralPortRange(() => 'garbage')).toEqual({ low: 49152, high: 65535 });
  });

  it('picks outside the ephemeral range, keeping the larger side it leaves, or none when too little is left', () => {
    expect(stablePortCandidates({ low: 32768, high: 60999 })).toEqual({ low: 20000, high: 29999 });
    expect(stablePortCandidates({ low: 25000, high: 60999 })).toEqual({ low: 20000, high: 24999 });
    expect(stablePortCandidates({ low: 10000, high: 22000 })).toEqual({ low: 22001, high: 29999 });
    expect(stablePortCandidates({ low: 20500, high: 29500 })).toBeNull();
    expect(stablePortCandidates({ low: 1024, high: 65535 })).toBeNull();
  });

  it('gives distinct free ports outside the ephemeral range, passing over one that is taken', async () => {
    const ephemeral = { low: 32768, high: 60999 };
    // A port of the range, taken here (the first free one from a random start).
    const taken = createServer();
    let takenPort = 20000 + Math.floor(Math.random() * 9000);
    for (; ; takenPort++) {
      const listening = await new Promise<boolean>((resolve) => {
        taken.once('error', () => resolve(false));
        taken.listen(takenPort, '127.0.0.1', () => resolve(true));
      });
      if (listening) break;
    }
    try {
      // The first pick is the taken port; the rest come from the real random source.
      const picks = [(takenPort - 20000 + 0.5) / 10000];
      const ports = await freeLoopbackPorts(3, { ephemeral, random: () => picks.shift() ?? Math.random() });
      expect(picks).toHaveLength(0);
      expect(new Set(ports).size).toBe(3);
      expect(ports).not.toContain(takenPort);
      for (const port of ports) {
        expect(port).toBeGreaterThanOrEqual(20000);
        expect(port).toBeLessThanOrEqual(29999);
      }
    } finally {
      taken.close();
    }
  });

  it('lets the OS choose when the ephemeral range leaves no room', async () => {
    const ports = await freeLoopbackPorts(2, { ephemeral: { low: 1024, high: 65535 } });
    expect(new Set(ports).size).toBe(2);
    for (const port of ports) expect(port).toBeGreaterThan(0);
  });
});
