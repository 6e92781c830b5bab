import type { Logger } from 'pino';
import type { StateChange } from '../store/MessageTransitions.js';

/** One log line per message state change: the key, the move and its code; never the content. */
export function logStateChange(logger: Logger, change: StateChange, extra: Record<string, string | null> = {}): void {
  // Built field by field: this runs once per message, tens of thousands of times in a burst.
  const line: Record<string, unknown> = {
    event: 'message-state',
    messageId: change.messageId,
    key: change.messageKey,
    type: change.messageType,
    from: change.from,
    to: change.to,
  };
  if (change.code) line.code = change.code;
  for (const name in extra) if (extra[name] !== null) line[name] = extra[name];
  logger.info(line, `message ${change.to}`);
}
