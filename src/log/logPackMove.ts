import type { Logger } from 'pino';
import type { PackMove } from '../store/PackTransitions.js';

/** One log line per pack move: its messages' common change and how many (each message's event is in the store). */
export function logPackMove(logger: Logger, move: PackMove): void {
  logger.info(
    {
      event: 'pack-messages',
      packId: move.packId,
      from: move.from,
      to: move.to,
      count: move.messageIds.length,
      ...(move.code ? { code: move.code } : {}),
    },
    `${move.messageIds.length} message(s) ${move.from} → ${move.to}`,
  );
}
