import {
  ENVELOPE_NAMESPACE,
  ENVELOPE_SCHEMA_LOCATION,
  MAX_MESSAGES_PER_ENVELOPE,
  MIG41_VERSION_TOKEN,
  MIN_MESSAGES_PER_ENVELOPE,
  XSI_NAMESPACE,
} from './constants.js';
import { EnvelopeError } from './EnvelopeError.js';
import { escapeAttribute, escapeText } from './escape.js';
import { prepareMessageBytes } from './prepareMessage.js';
import type { EnvelopeContent, EnvelopeParty } from './types.js';

/**
 * Writes the InvoiceEnvelope exactly as Turnkey does (these are the bytes that get signed): a
 * leading LF, no XML declaration, the routing blocks indented by two and four spaces, the
 * messages spliced in as text at column 0, and LF after every line.
 */
export function serializeEnvelope(content: EnvelopeContent): Buffer {
  const { routing, messages } = content;
  if (messages.length < MIN_MESSAGES_PER_ENVELOPE || messages.length > MAX_MESSAGES_PER_ENVELOPE) {
    throw new EnvelopeError(
      'envelope-count',
      `an envelope holds ${MIN_MESSAGES_PER_ENVELOPE} to ${MAX_MESSAGES_PER_ENVELOPE} messages, not ${messages.length}`,
    );
  }
  const messageType = checkedValue('messageType', content.messageType);
  const version = checkedValue('version', content.version ?? MIG41_VERSION_TOKEN);

  const head = [
    '',
    `<InvoiceEnvelope xmlns="${ENVELOPE_NAMESPACE}" xmlns:xsi="${XSI_NAMESPACE}" xsi:schemaLocation="${ENVELOPE_SCHEMA_LOCATION}">`,
    ...partyBlock('From', 'PartyId', routing.from),
    ...partyBlock('FromVAC', 'RoutingId', routing.fromVac),
    ...partyBlock('To', 'PartyId', routing.to),
    ...partyBlock('ToVAC', 'RoutingId', routing.toVac),
    `  <InvoicePack count="${messages.length}" messageType="${escapeAttribute(messageType)}" version="${escapeAttribute(version)}">`,
  ];
  // Built from byte parts: the messages' bytes are copied once, into the envelope, never decoded.
  const lf = Buffer.from('\n');
  const parts: Uint8Array[] = [Buffer.from(`${head.join('\n')}\n`, 'utf8')];
  for (const message of messages) parts.push(prepareMessageBytes(message), lf);
  parts.push(Buffer.from('</InvoicePack>\n</InvoiceEnvelope>\n', 'utf8'));
  return Buffer.concat(parts);
}

function partyBlock(element: string, idElement: string, party: EnvelopeParty): string[] {
  const lines = [`  <${element}>`, `    <${idElement}>${escapeText(checkedValue(`${element}/${idElement}`, party.id))}</${idElement}>`];
  // An empty description is treated as absent: the page writes the line "only when set".
  if (party.description !== undefined && party.description !== '') {
    lines.push(`    <Description>${escapeText(checkedValue(`${element}/Description`, party.description))}</Description>`);
  }
  lines.push(`  </${element}>`);
  return lines;
}

/** Values sit on one line and must be representable in XML 1.0: refuse what escaping cannot fix. */
function checkedValue(field: string, value: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new EnvelopeError('envelope-value', `${field} is empty`);
  }
  // Control characters are what this looks for.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001F\u007F\uFFFE\uFFFF]/.test(value) || /[\uD800-\uDFFF]/u.test(value)) {
    throw new EnvelopeError('envelope-value', `${field} contains a line break or a control character`);
  }
  return value;
}
