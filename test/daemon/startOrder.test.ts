import { describe, expect, it } from 'vitest';
import { modulesResolved } from '../helpers/moduleLoads.js';

/**
 * The daemon starts its validation threads before it loads what sending needs: those modules take
 * about half a second to load, and the threads about a second to warm up, so the two overlap
 * (daemon/daemonRuntime). Checked in a fresh node whose module loader reports what it resolves.
 */
describe("the daemon's start", () => {
  // undici (the gateway), node-forge and pkijs (the .pfx, CMS), xmlbuilder2 (the envelope), prom-client (metrics).
  const sending = /\/node_modules\/(undici|node-forge|pkijs|xmlbuilder2|prom-client)\//;

  it("leaves sending's modules out of what it loads before its validation threads start", () => {
    // The probe works: the runtime the daemon loads later reaches every one of them.
    const later = modulesResolved(['daemon/daemonRuntime.js'], sending).join('\n');
    for (const name of ['undici', 'node-forge', 'pkijs', 'xmlbuilder2', 'prom-client']) expect(later).toContain(`/${name}/`);
    expect(modulesResolved(['cli/main.js', 'cli/start/run.js', 'daemon/Daemon.js'], sending)).toEqual([]);
  });
});
