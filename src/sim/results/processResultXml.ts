import { RESULT_CODE } from './resultCodes.js';
import type { PackOutcome } from './PackOutcome.js';
import { routingXml } from './ResultRouting.js';
import { leaf, packInfoLeaves } from './xmlText.js';

export const PROCESS_RESULT_NAMESPACE = 'urn:GEINV:ProcessResult:4.1';

/**
 * The ProcessResult of a pack (schemas/ProcessResult.xsd). One `Info` with `0000` when every
 * message was accepted; the pack's code when the whole pack failed; otherwise one `Info` per
 * refused message: Code, Description (why), Parameter0 the kind of number, Parameter1 the number
 * (`#<position>` when it could not be read), Parameter2 its position in the pack (1-based),
 * Parameter3 the validator's finding code or the extra rule, when there is one.
 */
export function processResultXml(outcome: PackOutcome): Buffer {
  const infos: string[] = [];
  if (outcome.packCode !== null) {
    infos.push(info(outcome.packCode, outcome.packReason, []));
  } else {
    for (const d of outcome.decisions) {
      if (d.decision === 'accepted') continue;
      const params = [numberKind(d.messageType ?? outcome.messageType), d.number ?? `#${d.seq}`, String(d.seq)];
      if (d.findingCode) params.push(d.findingCode);
      infos.push(info(d.code, d.reason, params));
    }
    if (infos.length === 0) infos.push(info(RESULT_CODE.success, '成功', []));
  }
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ProcessResult xmlns="${PROCESS_RESULT_NAMESPACE}">\n` +
    routingXml(outcome.routing, '  ') +
    `  <MessageInfo>\n` +
    packInfoLeaves('    ', outcome) +
    `  </MessageInfo>\n` +
    `  <Result>\n${infos.join('')}  </Result>\n` +
    `</ProcessResult>\n`;
  return Buffer.from(xml, 'utf8');
}

function info(code: string, description: string | null, parameters: string[]): string {
  return (
    `    <Info>\n` +
    leaf('      ', 'Code', code) +
    (description ? leaf('      ', 'Description', description) : '') +
    parameters.map((p, i) => leaf('      ', `Parameter${i}`, p)).join('') +
    `    </Info>\n`
  );
}

function numberKind(messageType: string): string {
  if (messageType.startsWith('G')) return 'AllowanceNumber';
  if (messageType.startsWith('E')) return 'InvoiceTrack';
  return 'InvoiceNumber';
}
