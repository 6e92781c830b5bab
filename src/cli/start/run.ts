import { loadConfig } from '../../config/loadConfig.js';
import { readSecret } from '../../config/readSecret.js';
import type { TurnkeyConfig } from '../../config/types.js';
import { locateConfig } from '../../config/locateConfig.js';
import { existsSync } from 'node:fs';
import { Daemon } from '../../daemon/Daemon.js';
import { refuseForeignFolder } from '../../daemon/startupChecks.js';
import { createLogger, flushLogger, type Logger } from '../../log/createLogger.js';
import { TurnkeyError } from '../../errors/index.js';
import { EXIT } from '../exit.js';

/** `turnkey start`: the daemon in the foreground until a stop signal. */
export async function runStart(options: { config?: string }): Promise<void> {
  const location = locateConfig(options.config);
  const config = loadConfig(location.path);
  // Before the logger makes <dataRoot>/logs: a folder that is not a data root is left as it was
  // (one that does not exist is the daemon's to report).
  if (existsSync(config.dataRoot)) refuseForeignFolder(config);
  const logger = createLogger(config.logLevel, {
    file:
      config.log.file === null
        ? null
        : { path: config.log.file, maxBytes: Math.round(config.log.maxMegabytes * 1048576), keep: config.log.keep },
    pretty: config.log.pretty,
    secrets: knownSecrets(config),
  });
  // Listening from before the start: a signal with no listener would kill the process, even in the
  // moment after the store says `running` (a service manager stopping a service just started).
  const stopping = listenForStop(logger, config.daemon.drainTimeoutSeconds * 1000);
  let daemon: Daemon;
  try {
    daemon = await Daemon.start({ config, logger, configSource: location.source });
  } catch (err) {
    stopping.close();
    // An expected failure (configuration, permissions, a locked root) is said in one line with its fix; only a bug carries a stack.
    const said = err instanceof TurnkeyError ? { code: err.code, error: err.message, hint: err.hint } : { err };
    logger.fatal({ event: 'daemon-start-failed', ...said }, 'the daemon could not start');
    await flushLogger(logger);
    throw err;
  }
  process.exitCode = await stopping.drainOnSignal(daemon);
}

/**
 * The configured passwords as resolved, for the logger to censor wherever they appear; one that
 * cannot be read is the daemon's to report.
 */
function knownSecrets(config: TurnkeyConfig): Set<string> {
  const secrets = new Set<string>();
  (config.platform?.senders ?? []).forEach((s, i) => {
    const refs = [
      [s.transport.password, `senders[${i}].transport.password`],
      [s.certificate.password, `senders[${i}].certificate.password`],
    ] as const;
    for (const [ref, key] of refs) {
      try {
        secrets.add(readSecret(ref, key));
      } catch {
        // reported by the daemon when it loads the sender
      }
    }
  });
  return secrets;
}

const SIGNALS: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM'];

/**
 * The stop signals, one listener for the life of the process (a listener removed and added again
 * can lose a signal that came in between). A signal while the daemon starts is kept and acted on
 * once it runs; a start that does not end within the drain timeout after it exits with code 1, as
 * a drain that hangs does (nothing is lost: the next start resumes).
 */
function listenForStop(logger: Logger, drainTimeoutMs: number): { drainOnSignal(daemon: Daemon): Promise<number>; close(): void } {
  let act: ((signal: NodeJS.Signals) => void) | null = null;
  let kept: NodeJS.Signals | null = null;
  let startDeadline: NodeJS.Timeout | null = null;
  // If starting or draining hangs (a stuck network share), leave anyway: the next start resumes safely.
  const leaveAfter = (event: string, text: string): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      logger.error({ event, seconds: drainTimeoutMs / 1000 }, text);
      void flushLogger(logger).finally(() => process.exit(EXIT.findings));
    }, drainTimeoutMs);
    timer.unref();
    return timer;
  };
  const listener = (signal: NodeJS.Signals): void => {
    if (act) return act(signal);
    if (kept) return;
    kept = signal;
    logger.info({ event: 'signal-while-starting', signal }, 'stopping as soon as the daemon has started');
    startDeadline = leaveAfter('start-timeout', 'starting took too long after a stop signal; exiting without a clean stop');
  };
  const close = (): void => {
    for (const s of SIGNALS) process.off(s, listener);
    if (startDeadline) clearTimeout(startDeadline);
  };
  for (const s of SIGNALS) process.on(s, listener);
  return {
    close,
    drainOnSignal: (daemon) =>
      new Promise((resolveExit) => {
        if (startDeadline) clearTimeout(startDeadline);
        act = (signal) => {
          if (daemon.lifecycleState === 'draining' || daemon.lifecycleState === 'stopped') {
            logger.warn({ event: 'signal-while-draining', signal }, 'already stopping');
            return;
          }
          const deadline = leaveAfter('drain-timeout', 'draining took too long; exiting without a clean stop');
          daemon.drain(signal).then(
            async () => {
              clearTimeout(deadline);
              close();
              await flushLogger(logger);
              resolveExit(EXIT.ok);
            },
            async (err: unknown) => {
              clearTimeout(deadline);
              logger.error({ event: 'drain-failed', err }, 'draining failed');
              await flushLogger(logger);
              resolveExit(EXIT.findings);
            },
          );
        };
        if (kept) act(kept);
      }),
  };
}
