import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

export interface PortRange {
  low: number;
  high: number;
}

/**
 * Where ports kept in a configuration are picked: below Linux's default ephemeral range
 * (32768–60999) and IANA's (49152–65535, Windows' and macOS'), and below Kubernetes' NodePorts
 * (30000–32767).
 */
const STABLE_RANGE: PortRange = { low: 20_000, high: 29_999 };
/** Fewer candidates than this once the ephemeral range is cut out: the OS's choice instead. */
const MIN_CANDIDATES = 1_000;
const ATTEMPTS = 50;

/**
 * The ports the OS hands to outgoing connections: Linux's `ip_local_port_range`, else IANA's.
 * `readLinuxRange` is for tests.
 */
export function ephemeralPortRange(
  readLinuxRange: () => string = () => readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'),
): PortRange {
  try {
    const [low, high] = readLinuxRange().trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! <= high!) return { low: low!, high: high! };
  } catch {
    // not Linux
  }
  return { low: 49_152, high: 65_535 };
}

/** The stable range without the ephemeral one, or null when too little of it is left. */
export function stablePortCandidates(ephemeral: PortRange, stable: PortRange = STABLE_RANGE): PortRange | null {
  let { low, high } = stable;
  const overlaps = ephemeral.low <= high && ephemeral.high >= low;
  if (overlaps) {
    // Keep the larger side of the stable range that the ephemeral one leaves.
    const below: PortRange = { low, high: ephemeral.low - 1 };
    const above: PortRange = { low: ephemeral.high + 1, high };
    ({ low, high } = below.high - below.low >= above.high - above.low ? below : above);
  }
  return high - low + 1 >= MIN_CANDIDATES ? { low, high } : null;
}

/**
 * Ports free now on 127.0.0.1, for a configuration to keep (the sandbox's simulator and metrics).
 * They are picked outside the OS's ephemeral range: a port from it (what listen(0) gives) can be
 * taken by any outgoing connection while its server is down, for a restart, and the server then
 * cannot listen again. Where that range leaves no room, the OS chooses.
 */
export async function freeLoopbackPorts(count: number, options: { ephemeral?: PortRange; random?: () => number } = {}): Promise<number[]> {
  const candidates = stablePortCandidates(options.ephemeral ?? ephemeralPortRange());
  const random = options.random ?? Math.random;
  const servers: Server[] = [];
  try {
    for (let attempt = 0; candidates && servers.length < count && attempt < ATTEMPTS; attempt++) {
      const port = candidates.low + Math.floor(random() * (candidates.high - candidates.low + 1));
      const server = await listenOn(port).catch(() => null);
      if (server) servers.push(server);
    }
    while (servers.length < count) servers.push(await listenOn(0));
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
