export { serializeEnvelope } from './serializeEnvelope.js';
export { parseEnvelope } from './parseEnvelope.js';
export { prepareMessage, prepareMessageBytes } from './prepareMessage.js';
export { escapeAttribute, escapeText } from './escape.js';
export { EnvelopeError, type EnvelopeErrorCode } from './EnvelopeError.js';
export { ENVELOPE_NAMESPACE, MAX_MESSAGES_PER_ENVELOPE, MIG41_VERSION_TOKEN, MIN_MESSAGES_PER_ENVELOPE } from './constants.js';
export type { EnvelopeContent, EnvelopeParty, EnvelopeRouting, ParsedEnvelope } from './types.js';
