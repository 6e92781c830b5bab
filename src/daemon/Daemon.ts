import { existsSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import type { Logger } from 'pino';
import type { TurnkeyConfig } from '../config/types.js';
import { coversSeller } from '../config/senders.js';
import { ConfigError } from '../errors/index.js';
import { resolveAccessGroup, restrictUmask, secureDataRoot, type AccessGroup, type AccessOutcome } from '../fs/dataRootAccess.js';
import { Problems } from '../store/Problems.js';
import { armFailpoints } from '../failpoints/failpoints.js';
// Every area's failpoints are declared before armFailpoints checks TURNKEY_FAILPOINTS against them:
// the areas themselves load later (daemonRuntime).
import '../outbound/outboundFailpoints.js';
import '../results/resultFailpoints.js';
import '../schedule/scheduleFailpoints.js';
import '../tracks/trackFailpoints.js';
import { daemonFailpoint } from './daemonFailpoints.js';
import { InlineFileInspector, WorkerFileInspector, type InspectionWorkerData, type ValidationThread } from '../intake/FileInspector.js';
import { backfillAllowanceRefs } from '../intake/backfillAllowanceRefs.js';
import { IntakeLayout } from '../intake/IntakeLayout.js';
import { IntakeService, type IntakeTotals } from '../intake/IntakeService.js';
import type { IntakeRules } from '../intake/BatchProcessor.js';
import { uploadDeadline } from '../schedule/deadlines.js';
import { DaemonLifecycle, type DaemonState } from '../store/DaemonLifecycle.js';
import { MessageQueries } from '../store/MessageQueries.js';
import type { OutboundRuntime } from '../outbound/OutboundRuntime.js';
import type { SandboxLauncher } from '../sandbox/SandboxLauncher.js';
import { Deadlines } from '../store/Deadlines.js';
import { JobRuns } from '../store/JobRuns.js';
import type { Scheduler } from '../schedule/Scheduler.js';
import type { MetricsServer } from '../metrics/MetricsServer.js';
import { Store } from '../store/Store.js';
import { namedSetting } from './startupChecks.js';
import { DataRootLock } from './DataRootLock.js';
import { describeHolder } from './describeHolder.js';
import { HeapGuard } from './HeapGuard.js';
import { lowerPriority, type PriorityOutcome } from '../workers/priority.js';
import { packageVersion } from './packageVersion.js';

export interface DaemonStartOptions {
  config: TurnkeyConfig;
  logger: Logger;
  /** Where the configuration path came from (`--config`, `TURNKEY_CONFIG`, default), for the log. */
  configSource?: string;
}

/**
 * The daemon's lifecycle: starting (lock, store, validator, recovery, maintenance windows) → running
 * (intake, sending behind the windows, heartbeat, scheduled jobs) → draining (stop taking files,
 * finish the batch in hand) → stopped (store closed, lock released). Each state is written to the
 * store so `turnkey status` can see it.
 */
export class Daemon {
  private state: DaemonState = 'starting';
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private scheduler: Scheduler | null = null;
  private metrics: MetricsServer | null = null;
  private draining: Promise<void> | null = null;
  private outbound: OutboundRuntime | null = null;
  private sandbox: SandboxLauncher | null = null;
  private readonly heapGuard = new HeapGuard((used) =>
    this.logger.debug(
      { event: 'heap-collected', heapUsedMB: Math.round(used / 1048576), rssMB: Math.round(process.memoryUsage.rss() / 1048576) },
      'full garbage collection',
    ),
  );

  private constructor(
    private readonly config: TurnkeyConfig,
    private readonly logger: Logger,
    private readonly lock: DataRootLock,
    private readonly store: Store,
    private readonly lifecycle: DaemonLifecycle,
    /** The schema folder the validators compiled, for the log. */
    private readonly schemasDir: string,
    private readonly inspector: ValidationThread,
    private readonly intake: IntakeService,
  ) {}

  static async start(options: DaemonStartOptions): Promise<Daemon> {
    const { config, logger } = options;
    armFailpoints();
    if (!existsSync(config.dataRoot)) {
      throw new ConfigError(`the data root ${config.dataRoot} does not exist`, {
        hint: `Create it with \`turnkey init\`, or fix dataRoot in ${config.configFile}.`,
      });
    }
    // Everything the daemon creates is its user's alone (or shared with the ERP's group).
    const group = resolveAccessGroup(config.group);
    restrictUmask(group);
    // Before any thread of ours starts (the validation worker, the sandbox's simulator): they inherit it.
    const priority = lowerPriority(config.daemon.priority);
    if (priority.error)
      logger.warn(
        { event: 'priority-not-lowered', priority: config.daemon.priority, err: priority.error },
        `could not lower the daemon's CPU priority to ${config.daemon.priority}; it runs on at the priority it has`,
      );
    const lock = DataRootLock.acquire(config.dataRoot, () => describeHolder(config.database));
    let store: Store | undefined;
    let inspector: ValidationThread | undefined;
    try {
      store = Store.open(config.database, { busyTimeoutMs: config.store.busyTimeoutMs });
      const lifecycle = new DaemonLifecycle(store.db);
      lifecycle.begin({ pid: process.pid, hostname: hostname(), version: packageVersion() });
      const validatorOptions = {
        ...(config.validation.schemasDir !== null ? { schemasDir: config.validation.schemasDir } : {}),
        lang: config.validation.lang,
        maxBytes: config.validation.maxBytes,
        clockSkewSeconds: config.validation.clockSkewSeconds,
        b2cTaxIncluded: config.validation.b2cTaxIncluded,
      };
      // Validation lives on the validation thread(s); the main thread never loads libxml2.
      const inspecting = startInspector(config, validatorOptions, logger);
      // Loaded while those threads start and warm up (see daemonRuntime); awaited below, where
      // sending starts. A start that fails before then must not leave its failure unhandled.
      const loading = import('./daemonRuntime.js');
      loading.catch(() => undefined);
      inspector = await inspecting.catch((err: unknown) => {
        throw namedSetting(err, 'validation.schemasDir');
      });
      const schemas = await inspector.schemaInfo();
      for (const warning of schemas.warnings)
        logger.warn({ event: 'schema-defect', file: warning.path, line: warning.line }, warning.message);
      const backfilled = await backfillAllowanceRefs(store.db, inspector);
      if (backfilled > 0)
        logger.info({ event: 'allowances-backfilled', allowances: backfilled }, 'read what earlier allowances take off their invoices');
      const layout = new IntakeLayout(config.dataRoot, config.intake.messageTypes);
      let daemon: Daemon | null = null;
      const rules: IntakeRules = {
        lang: config.validation.lang,
        ...(config.platform && { covers: coversSeller(config.platform.senders) }),
        uploadDeadline: (messageType, fields) => uploadDeadline(config.deadlines.rules, { messageType, ...fields }),
        trackCheck: config.tracks.check,
      };
      const intake = new IntakeService({
        store,
        inspector,
        layout,
        settings: config.intake,
        logger,
        rules,
        onQueued: () => daemon?.outbound?.service.wake(),
      });
      const filled = new Deadlines(store.db).backfill((m) => uploadDeadline(config.deadlines.rules, { ...m, time: null }));
      if (filled > 0) logger.info({ event: 'deadlines-backfilled', messages: filled }, 'gave waiting messages their upload deadline');
      daemon = new Daemon(config, logger, lock, store, lifecycle, schemas.dir, inspector, intake);
      const { recovered } = await intake.start();
      let access: AccessOutcome;
      try {
        const {
          Maintenance,
          OutboundRuntime,
          SandboxLauncher,
          Scheduler,
          TrackBook,
          dropPlannedReports,
          scheduleJobs,
          startMetrics,
          trackBookOptions,
        } = await loading;
        daemon.metrics = await startMetrics(config, store, logger);
        access = secureDataRoot(config, group);
        reportAccess(new Problems(store.db, 'daemon'), access, group, logger);
        // The sandbox's platform runs as a process of its own (`turnkey sim`), started first.
        if (config.platform?.mode === 'sandbox') daemon.sandbox = await SandboxLauncher.start(config.configFile, logger);
        const maintenance = await Maintenance.start(config, store.db, logger);
        daemon.outbound = await OutboundRuntime.start({
          config,
          store,
          validator: inspector,
          logger,
          intakeBacklog: () => intake.backlog >= config.intake.batchSize,
          gate: maintenance.gate,
        });
        const scheduler = new Scheduler(new JobRuns(store.db), logger);
        const outbound = daemon.outbound;
        // An E0402 recorded but not yet written when the daemon stopped is written now.
        const tracks = new TrackBook(store.db, config.dataRoot, Date.now, trackBookOptions(config));
        dropPlannedReports(tracks, logger);
        scheduleJobs(scheduler, {
          config,
          db: store.db,
          logger,
          maintenance,
          certificates: () => outbound?.certificates() ?? [],
          tracks,
          validator: inspector,
        });
        daemon.scheduler = scheduler;
      } catch (err) {
        await intake.stop();
        await daemon.metrics?.stop();
        await daemon.outbound?.stop();
        await daemon.sandbox?.stop();
        throw err;
      }
      daemon.enterRunning(recovered, options.configSource, priority, { group: group?.name ?? null, tightened: access.changed.length });
      return daemon;
    } catch (err) {
      await inspector?.close();
      if (store) {
        try {
          new DaemonLifecycle(store.db).enter(process.pid, 'stopped');
        } catch {
          // the store itself may be what failed
        }
        store.close();
      }
      lock.release();
      throw err;
    }
  }

  get lifecycleState(): DaemonState {
    return this.state;
  }

  get totals(): IntakeTotals {
    return this.intake.totals;
  }

  /** Stops taking files, finishes the batch in hand, closes the store and releases the lock. */
  drain(reason: string): Promise<void> {
    this.draining ??= this.doDrain(reason);
    return this.draining;
  }

  /** `access`: the group sharing the ERP's folders, and how many paths start-up made owner-only (or group-only). */
  private enterRunning(
    recovered: number,
    configSource: string | undefined,
    priority: PriorityOutcome,
    access: { group: string | null; tightened: number },
  ): void {
    const { config } = this;
    this.state = 'running';
    this.lifecycle.enter(process.pid, 'running');
    this.heartbeatTimer = setInterval(() => this.beat(), config.daemon.heartbeatSeconds * 1000);
    this.heapGuard.start();
    if (this.scheduler) {
      this.scheduler.start();
      // What was due while the daemon was down runs now, in turn.
      for (const job of ['retention', 'certificates', 'deadlines', 'tracks']) void this.scheduler.run(job);
    }
    const counts = new MessageQueries(this.store.db).countByTypeAndState();
    this.logger.info(
      {
        event: 'daemon-started',
        version: packageVersion(),
        node: process.version,
        // How the heap guard collects: `gc` (--expose-gc) or `inspector` (node started without it).
        heapGuard: this.heapGuard.method,
        // What was asked, and what came of it: threads lowered, and the session's autogroup when the daemon leads it.
        priority: {
          name: config.daemon.priority,
          threadsLowered: priority.lowered,
          autogroup: priority.autogroup,
        },
        configFile: config.configFile,
        configSource: configSource ?? null,
        dataRoot: config.dataRoot,
        database: config.database,
        schemasDir: this.schemasDir,
        messageTypes: config.intake.messageTypes,
        watch: config.intake.watch,
        batchSize: config.intake.batchSize,
        stabilitySeconds: config.intake.stabilitySeconds,
        rescanIntervalSeconds: config.intake.rescanIntervalSeconds,
        recovered,
        access,
        messages: counts.byState,
      },
      'turnkey daemon running',
    );
  }

  private async doDrain(reason: string): Promise<void> {
    this.state = 'draining';
    this.logger.info({ event: 'daemon-draining', reason }, 'stopping: no new files are taken; finishing the batch in hand');
    try {
      this.lifecycle.enter(process.pid, 'draining');
    } catch (err) {
      this.logger.warn({ event: 'lifecycle-write-failed', err }, 'could not record the draining state');
    }
    await this.scheduler?.stop();
    await this.intake.stop();
    // In-flight uploads and notifications finish (and are recorded) before the store closes; the
    // results they apply are validated on the validation thread, closed after them.
    await this.outbound?.stop();
    await this.inspector.close();
    await this.sandbox?.stop();
    await this.metrics?.stop();
    daemonFailpoint('mid-drain');
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heapGuard.stop();
    this.state = 'stopped';
    this.lifecycle.enter(process.pid, 'stopped');
    this.store.close();
    this.lock.release();
    const memory = process.memoryUsage();
    this.logger.info(
      {
        event: 'daemon-stopped',
        reason,
        ...this.intake.totals,
        rssMB: Math.round(memory.rss / 1048576),
        heapUsedMB: Math.round(memory.heapUsed / 1048576),
        externalMB: Math.round(memory.external / 1048576),
        arrayBuffersMB: Math.round(memory.arrayBuffers / 1048576),
      },
      'turnkey daemon stopped',
    );
  }

  private beat(): void {
    try {
      this.lifecycle.heartbeat(process.pid);
    } catch (err) {
      this.logger.warn({ event: 'heartbeat-failed', err }, 'could not write the heartbeat');
    }
  }
}

/** Problem code (daemon area): paths of the data root whose access could not be tightened. */
export const ACCESS_NOT_TIGHTENED = 'access-not-tightened';

/** What start-up could not make owner-only (or group-only) is a problem for the operator; logged once. */
function reportAccess(problems: Problems, access: AccessOutcome, group: AccessGroup | null, logger: Logger): void {
  if (access.failed.length === 0) {
    problems.resolve('data root', ACCESS_NOT_TIGHTENED);
    return;
  }
  const listed = access.failed
    .slice(0, 5)
    .map((f) => `${f.path} (${f.code})`)
    .join(', ');
  const detail =
    `${access.failed.length} path(s) could not be made owner-only${group ? ` or given to group ${group.name}` : ''}: ` +
    `${listed}${access.failed.length > 5 ? ', …' : ''}`;
  if (problems.raise('data root', ACCESS_NOT_TIGHTENED, detail))
    logger.warn({ event: 'access-not-tightened', failed: access.failed.length, paths: access.failed.slice(0, 20) }, detail);
}

/**
 * Intake's inspector: worker threads (by default one less than the cores, 1–4) so validation
 * overlaps recording; `intake.validationWorkers: 0` keeps it on the main thread.
 */
async function startInspector(
  config: TurnkeyConfig,
  validatorOptions: InspectionWorkerData['validator'],
  logger: Logger,
): Promise<ValidationThread> {
  const workers = config.intake.validationWorkers ?? Math.min(4, Math.max(1, availableParallelism() - 1));
  if (workers === 0) {
    // Loaded only here: with workers, libxml2 never enters the main thread.
    const [{ Validator }, { warmUp }] = await Promise.all([import('../validation/Validator.js'), import('../validation/warmUp.js')]);
    const validator = await Validator.create(validatorOptions);
    warmUp(validator); // as each worker does before it is ready (validation/warmUp)
    return new InlineFileInspector(validator, config.validation.maxBytes, true);
  }
  return WorkerFileInspector.start(
    workers,
    { validator: validatorOptions, maxBytes: config.validation.maxBytes },
    (exitCode, replacement) => {
      logger.error(
        { event: 'inspection-worker-exited', exitCode },
        'a validation worker stopped; the files it held are processed again and it is replaced',
      );
      replacement.catch((err: unknown) =>
        logger.error(
          { event: 'inspection-worker-not-replaced', err },
          'a validation worker could not be replaced; intake goes on with fewer',
        ),
      );
    },
  );
}
