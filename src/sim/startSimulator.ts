import { Validator } from '../validation/Validator.js';
import { AccountRegistry } from './accounts/AccountRegistry.js';
import { AllocationBook } from './e0501/AllocationBook.js';
import { E0501Service } from './e0501/E0501Service.js';
import { FaultPlan } from './faults/FaultPlan.js';
import { loadOrCreateAdminToken } from './gateway/adminToken.js';
import { GatewayServer } from './gateway/GatewayServer.js';
import { NotificationHandler } from './gateway/NotificationHandler.js';
import { MaintenanceCalendar } from './maintenance/MaintenanceCalendar.js';
import { ExtraRuleSet } from './processing/ExtraRuleSet.js';
import { InlinePackOpener } from './processing/InlinePackOpener.js';
import type { PackOpener } from './processing/PackOpener.js';
import { PackQueue } from './processing/PackQueue.js';
import { WorkerPackOpener } from './processing/WorkerPackOpener.js';
import { SimDatabase } from './record/SimDatabase.js';
import { ResultPublisher } from './results/ResultPublisher.js';
import { loadOrCreateHostKey } from './sftp/hostKey.js';
import { SftpServer } from './sftp/SftpServer.js';
import { SimEvents } from './SimEvents.js';
import { SILENT_LOGGER } from './SimLogger.js';
import { Simulator, type RunningSimulator } from './Simulator.js';
import { resolveSimulatorOptions, type SimulatorOptions } from './SimulatorOptions.js';
import { SimLayout } from './storage/SimLayout.js';

/**
 * Starts a local simulator of the MOF platform on 127.0.0.1: its SFTP server and HTTP gateway,
 * pack processing, result files, E0501 downloads, maintenance windows and injected faults, all
 * recorded in `<dataDir>/sim.sqlite`. Packs accepted but not processed before an earlier stop
 * are processed now. Resolves once both servers listen.
 */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const resolved = resolveSimulatorOptions(options);
  const logger = options.logger ?? SILENT_LOGGER;
  const accounts = new AccountRegistry(resolved.accounts);
  const calendar = new MaintenanceCalendar(resolved.maintenance);
  const faults = new FaultPlan(resolved.faults);
  const allocations = new AllocationBook(resolved.allocations);
  const rules = new ExtraRuleSet(resolved.rules);
  const layout = new SimLayout(resolved.dataDir);
  layout.prepare(accounts.all().map((a) => a.transportId));
  const hostKey = loadOrCreateHostKey(layout.hostKeyFile);
  const adminToken = loadOrCreateAdminToken(resolved.adminTokenFile);
  const db = new SimDatabase(layout.databaseFile);
  const events = new SimEvents();

  let opener: PackOpener | null = null;
  let simulator: Simulator | null = null;
  try {
    const validatorOptions = resolved.validation;
    const validator = await Validator.create(validatorOptions);
    opener =
      resolved.processingWorkers === 0
        ? await InlinePackOpener.create(validatorOptions)
        : await WorkerPackOpener.create(resolved.processingWorkers, validatorOptions);
    const publisher = new ResultPublisher({ layout, db, faults, events, logger });
    const queue = new PackQueue({
      db,
      accounts,
      opener,
      publisher,
      calendar,
      allocations,
      rules: () => rules.get(),
      processingDelayMs: resolved.processingDelayMs,
      events,
      logger,
    });
    const e0501 = new E0501Service({ allocations, accounts, layout, db, validator, events, logger });
    simulator = new Simulator({ db, accounts, calendar, faults, queue, publisher, opener, e0501, events, rules }, hostKey, {
      dataDir: layout.dataDir,
      databaseFile: layout.databaseFile,
      adminTokenFile: resolved.adminTokenFile,
    });
    const handler = new NotificationHandler({ accounts, layout, db, queue, actions: resolved.gateway.actions, events, logger });
    const gateway = new GatewayServer({
      basePath: resolved.gateway.basePath,
      handler,
      calendar,
      faults,
      db,
      events,
      logger,
      controls: simulator,
      adminToken,
      latencyMs: resolved.latencyMs,
    });
    const sftp = new SftpServer({
      layout,
      accounts,
      calendar,
      faults,
      db,
      events,
      logger,
      hostKey,
      latencyMs: resolved.latencyMs,
      ...(resolved.sftp.algorithms && { algorithms: resolved.sftp.algorithms }),
    });
    await simulator.listen({ sftp, gateway }, { sftp: resolved.sftp.port, gateway: resolved.gateway.port }, resolved.gateway.basePath);

    queue.recover();
    if (resolved.e0501.scheduleIntervalMs !== null) e0501.startSchedule(resolved.e0501.scheduleIntervalMs);
    logger.info(
      {
        sftpPort: simulator.sftp.port,
        gateway: simulator.gateway.url,
        hostKey: simulator.hostKey.fingerprint,
        accounts: accounts.all().length,
      },
      'platform simulator started',
    );
    return simulator;
  } catch (error) {
    if (simulator) await simulator.stop().catch(() => undefined);
    else {
      await opener?.close().catch(() => undefined);
      db.close();
    }
    throw error;
  }
}
