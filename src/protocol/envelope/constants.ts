export const ENVELOPE_NAMESPACE = 'urn:GEINV:InvoiceEnvelope:4.1';
export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
export const ENVELOPE_SCHEMA_LOCATION = `${ENVELOPE_NAMESPACE} InvoiceEnvelope.xsd`;

/** The InvoicePack `version` token for MIG 4.1. */
export const MIG41_VERSION_TOKEN = 'v41';

export const MIN_MESSAGES_PER_ENVELOPE = 1;
export const MAX_MESSAGES_PER_ENVELOPE = 1000;
