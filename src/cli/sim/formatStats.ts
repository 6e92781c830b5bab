import type { SimStats } from '../../sim/record/statsQueries.js';

/** The human-readable form of `turnkey sim stats`. */
export function formatStats(stats: SimStats, invoice: string | undefined): string {
  const lines: string[] = [];
  if (invoice === undefined) {
    lines.push(
      `files received: ${stats.files.received}`,
      `notifications:  ${stats.notifications.total} (${stats.notifications.accepted} accepted, ${stats.notifications.refused} refused or ` +
        `failed)`,
      `packs:          ${stats.packs.total} (${stats.packs.queued} queued, ${stats.packs.processed} processed; results written for ` +
        `${stats.packs.resultsWritten}, withheld for ${stats.packs.resultsSuppressed})`,
      `messages:       ${stats.messages.accepted} accepted, ${stats.messages.rejected} rejected, ${stats.messages.duplicate} duplicate`,
      `E0501 files:    ${stats.e0501.delivered}`,
    );
    const faults = Object.entries(stats.faults);
    if (faults.length > 0) lines.push(`faults fired:   ${faults.map(([f, n]) => `${f} ${n}`).join(', ')}`);
    lines.push('');
  }
  if (stats.invoices.length === 0) {
    lines.push(invoice === undefined ? 'no message number recorded yet' : `${invoice}: never received`);
  } else {
    lines.push(`${'number'.padEnd(16)} ${'type'.padEnd(5)} ${'accepted'.padStart(8)} ${'rejected'.padStart(8)} ${'duplicate'.padStart(9)}`);
    for (const i of stats.invoices) {
      lines.push(
        `${i.number.padEnd(16)} ${(i.messageType ?? '?').padEnd(5)} ${String(i.accepted).padStart(8)} ${String(i.rejected).padStart(8)} ` +
          `${String(i.duplicate).padStart(9)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
