import type { Logger } from 'pino';
import type { StateChange } from '../store/MessageTransitions.js';

/** One log line per message state change: the key, the move and its code; never the content. */
export function logStateChange(logger: Logger, change: StateChange, file: string | null = null): void {
  // Built field by field: this runs once per message, tens of thousands of times in a burst.
  const line: Record<string, unknown> = {
    event: 'message-state',
    messageId: change.messageId,
    messageKey: change.messageKey,
    type: change.messageType,
    from: change.from,
    to: change.to,
  };
  if (change.code) line.code = change.code;
  if (file !== null) line.file = file;
  logger.info(line, `message ${change.to}`);
}
