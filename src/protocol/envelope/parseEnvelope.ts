import { ParseOption, XmlDocument, XmlElement } from 'libxml2-wasm';
import { ENVELOPE_NAMESPACE } from './constants.js';
import { EnvelopeError } from './EnvelopeError.js';
import { scanTags } from './scanTags.js';
import type { EnvelopeParty, ParsedEnvelope } from './types.js';

const ROUTING_BLOCKS = [
  ['From', 'PartyId'],
  ['FromVAC', 'RoutingId'],
  ['To', 'PartyId'],
  ['ToVAC', 'RoutingId'],
] as const;

/**
 * Reads an InvoiceEnvelope (the platform's side of the protocol). libxml2 checks well-formedness
 * and namespaces and reads the routing; the messages are sliced out of the text by a tag scanner,
 * so each comes back exactly as it was spliced in, never re-serialized.
 */
export function parseEnvelope(envelope: Uint8Array | string): ParsedEnvelope {
  let text = typeof envelope === 'string' ? envelope : decodeUtf8(envelope);
  if (text.startsWith('\uFEFF')) text = text.slice(1);

  const messages = sliceMessages(text);
  const { routing, messageType, count, version, childCount } = readStructure(text);
  if (childCount !== messages.length) {
    throw new EnvelopeError('envelope-parse', `InvoicePack has ${childCount} elements but ${messages.length} were sliced`);
  }
  if (count !== messages.length) {
    throw new EnvelopeError('envelope-count', `InvoicePack says count="${count}" but holds ${messages.length} messages`);
  }
  return { routing, messageType, count, version, messages };
}

/** Each child element of the root's InvoicePack, from its `<` to its closing `>`. */
function sliceMessages(text: string): string[] {
  const messages: string[] = [];
  // Whether the root's latest child is the InvoicePack (depth 2 is only reached inside it), and where its open message starts.
  let inPack = false;
  let messageStart = -1;
  scanTags(text, (kind, depth, start, end, selfClosing, nameStart, nameEnd) => {
    if (kind === 'start') {
      if (depth === 1) inPack = localName(text.slice(nameStart, nameEnd)) === 'InvoicePack';
      else if (depth === 2 && inPack) {
        messageStart = start;
        if (selfClosing) messages.push(text.slice(messageStart, end));
      }
    } else if (depth === 2 && inPack) {
      messages.push(text.slice(messageStart, end));
    }
  });
  return messages;
}

function readStructure(text: string) {
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(text, {
      option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_IGNORE_ENC | ParseOption.XML_PARSE_HUGE,
    });
  } catch (cause) {
    const detail = (cause as { details?: Array<{ message: string; line: number }> }).details?.[0];
    const where = detail ? ` (line ${detail.line})` : '';
    throw new EnvelopeError('envelope-parse', `not well-formed XML${where}: ${String((cause as Error).message).trim()}`, { cause });
  }
  try {
    const root = doc.root;
    expectElement(root, 'InvoiceEnvelope');
    const children = elementChildren(root);
    const names = children.map((c) => c.name).join(', ');
    const expected = [...ROUTING_BLOCKS.map(([block]) => block), 'InvoicePack'];
    if (children.length !== expected.length || children.some((c, i) => c.name !== expected[i])) {
      throw new EnvelopeError('envelope-parse', `InvoiceEnvelope must hold ${expected.join(', ')}; it holds ${names || 'nothing'}`);
    }
    const [from, fromVac, to, toVac] = ROUTING_BLOCKS.map(([block, idElement], i) => readParty(children[i]!, block, idElement)) as [
      EnvelopeParty,
      EnvelopeParty,
      EnvelopeParty,
      EnvelopeParty,
    ];
    const pack = children[4]!;
    expectElement(pack, 'InvoicePack');
    const countText = requiredAttribute(pack, 'count');
    if (!/^[0-9]+$/.test(countText)) throw new EnvelopeError('envelope-parse', `InvoicePack count="${countText}" is not a number`);
    return {
      routing: { from, fromVac, to, toVac },
      messageType: requiredAttribute(pack, 'messageType'),
      version: requiredAttribute(pack, 'version'),
      count: Number(countText),
      childCount: elementChildren(pack).length,
    };
  } finally {
    doc.dispose();
  }
}

function readParty(block: XmlElement, blockName: string, idElement: string): EnvelopeParty {
  expectElement(block, blockName);
  const children = elementChildren(block);
  const id = children[0];
  const description = children[1];
  if (
    id === undefined ||
    id.name !== idElement ||
    children.length > 2 ||
    (description !== undefined && description.name !== 'Description')
  ) {
    throw new EnvelopeError('envelope-parse', `${blockName} must hold ${idElement} and an optional Description`);
  }
  expectElement(id, idElement);
  if (description === undefined) return { id: id.content };
  expectElement(description, 'Description');
  return { id: id.content, description: description.content };
}

function expectElement(element: XmlElement, name: string): void {
  if (element.name !== name || element.namespaceUri !== ENVELOPE_NAMESPACE) {
    const actual = element.namespaceUri ? `{${element.namespaceUri}}${element.name}` : element.name;
    throw new EnvelopeError('envelope-parse', `expected {${ENVELOPE_NAMESPACE}}${name}, found ${actual}`);
  }
}

function requiredAttribute(element: XmlElement, name: string): string {
  const attribute = element.attr(name);
  if (attribute === null) throw new EnvelopeError('envelope-parse', `${element.name} has no ${name} attribute`);
  return attribute.value;
}

function elementChildren(element: XmlElement): XmlElement[] {
  const children: XmlElement[] = [];
  for (let node = element.firstChild; node !== null; node = node.next) {
    if (node instanceof XmlElement) children.push(node);
  }
  return children;
}

function localName(qualifiedName: string): string {
  return qualifiedName.slice(qualifiedName.indexOf(':') + 1);
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (cause) {
    throw new EnvelopeError('envelope-parse', 'the envelope is not valid UTF-8', { cause });
  }
}
