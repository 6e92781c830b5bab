/**
 * What the daemon runs beside intake: sending (SFTP, the gateway, CMS), the sandbox's simulator,
 * maintenance windows, the schedule and the metrics endpoint. Their modules (undici, node-forge,
 * pkijs, xmlbuilder2, prom-client among them; ssh2 loads on the SFTP thread) take about half a
 * second to load; the daemon imports this module once its validation threads have started, so that
 * the loading overlaps their warm-up (about a second) instead of coming before it.
 */
import type { Logger } from 'pino';
import type { TurnkeyConfig } from '../config/types.js';
import { MetricsServer } from '../metrics/MetricsServer.js';
import { StoreMetrics } from '../metrics/StoreMetrics.js';
import type { Store } from '../store/Store.js';

export { OutboundRuntime } from '../outbound/OutboundRuntime.js';
export { SandboxLauncher } from '../sandbox/SandboxLauncher.js';
export { Maintenance } from '../schedule/Maintenance.js';
export { Scheduler } from '../schedule/Scheduler.js';
export { TrackBook, trackBookOptions } from '../tracks/TrackBook.js';
export { dropPlannedReports } from '../tracks/trackJob.js';
export { scheduleJobs } from './DaemonJobs.js';

/** The optional health and metrics endpoint; one that cannot listen is logged and left off: sending matters more. */
export async function startMetrics(config: TurnkeyConfig, store: Store, logger: Logger): Promise<MetricsServer | null> {
  if (config.metrics.listen === null) return null;
  const { host, port } = MetricsServer.parseListen(config.metrics.listen);
  const server = new MetricsServer(
    new StoreMetrics(store.db, {
      messageTypes: config.intake.messageTypes,
      atRiskMs: config.deadlines.atRiskHours * 3_600_000,
      heartbeatMaxAgeMs: Math.max(15_000, 3 * config.daemon.heartbeatSeconds * 1000),
    }),
    { host, port, logger },
  );
  try {
    const listening = await server.start();
    logger.info({ event: 'metrics-listening', url: `http://${host}:${listening}` }, 'health and metrics endpoint listening');
    return server;
  } catch (err) {
    logger.error({ event: 'metrics-not-listening', err }, 'the health and metrics endpoint could not start; the daemon runs without it');
    return null;
  }
}
