import type { Logger } from 'pino';
import type { StateChange } from '../store/MessageTransitions.js';

/** One log line per message state change: the key, the move and its code; never the content. */
export function logStateChange(logger: Logger, change: StateChange, extra: Record<string, string | null> = {}): void {
  logger.info(
    {
      event: 'message-state',
      messageId: change.messageId,
      key: change.messageKey,
      type: change.messageType,
      from: change.from,
      to: change.to,
      ...(change.code ? { code: change.code } : {}),
      ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== null)),
    },
    `message ${change.to}`,
  );
}
