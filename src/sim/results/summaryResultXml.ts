import type { MessageDecisionRecord } from '../record/SimDatabase.js';
import type { PackOutcome } from './PackOutcome.js';
import { routingXml } from './ResultRouting.js';
import { leaf, packInfoLeaves } from './xmlText.js';

export const SUMMARY_RESULT_NAMESPACE = 'urn:GEINV:SummaryResult:4.1';

/**
 * The SummaryResult of a pack (schemas/SummaryResult.xsd): Total = Good + Failed, each list with
 * Count entries. A Failed list is left out when a refused message has no readable number or
 * date (the schema requires both), and when the whole pack failed (its content is not trusted);
 * the Count is always there.
 */
export function summaryResultXml(outcome: PackOutcome): Buffer {
  const good = outcome.decisions.filter((d) => d.decision === 'accepted');
  const failed = outcome.decisions.filter((d) => d.decision !== 'accepted');
  const total = outcome.packCode !== null ? outcome.quantity : outcome.decisions.length;
  const failedCount = outcome.packCode !== null ? outcome.quantity : failed.length;
  const failedList = outcome.packCode !== null || failed.some((d) => !d.number || !d.date) ? null : failed;
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<SummaryResult xmlns="${SUMMARY_RESULT_NAMESPACE}">\n` +
    routingXml(outcome.routing, '  ') +
    `  <DetailList>\n` +
    `    <Message>\n` +
    `      <Info>\n` +
    packInfoLeaves('        ', outcome) +
    `      </Info>\n` +
    `      <ResultType>\n` +
    countBlock('Total', total, null) +
    countBlock('Good', good.length, good) +
    countBlock('Failed', failedCount, failedList) +
    `      </ResultType>\n` +
    `    </Message>\n` +
    `  </DetailList>\n` +
    `</SummaryResult>\n`;
  return Buffer.from(xml, 'utf8');
}

function countBlock(name: string, count: number, invoices: readonly MessageDecisionRecord[] | null): string {
  const list =
    invoices && invoices.length > 0
      ? `          <Invoices>\n${invoices
          .map(
            (d) =>
              `            <Invoice>
` +
              leaf('              ', 'ReferenceNumber', d.number ?? '') +
              leaf('              ', 'InvoiceDate', d.date ?? '') +
              `            </Invoice>
`,
          )
          .join('')}          </Invoices>\n`
      : '';
  return `        <${name}>\n${leaf('          ', 'Count', String(count))}${list}        </${name}>\n`;
}
