/** One side of the envelope's routing: a `PartyId` (From/To) or a `RoutingId` (FromVAC/ToVAC). */
export interface EnvelopeParty {
  id: string;
  /** Written as a `Description` line only when set (an empty string counts as not set). */
  description?: string | undefined;
}

export interface EnvelopeRouting {
  from: EnvelopeParty;
  fromVac: EnvelopeParty;
  to: EnvelopeParty;
  toVac: EnvelopeParty;
}

/** What goes into one InvoiceEnvelope. */
export interface EnvelopeContent {
  routing: EnvelopeRouting;
  /** e.g. `F0401`. */
  messageType: string;
  /** The InvoicePack `version` token; defaults to `v41` (MIG 4.1). */
  version?: string;
  /** The messages, as text or UTF-8 bytes; each is prepared with `prepareMessage`. */
  messages: ReadonlyArray<string | Uint8Array>;
}

/** What the platform side reads back out of an envelope. */
export interface ParsedEnvelope {
  routing: EnvelopeRouting;
  messageType: string;
  /** The `count` attribute (checked to equal `messages.length`). */
  count: number;
  version: string;
  /** Each InvoicePack child element, sliced as text from its `<` to its closing `>`. */
  messages: string[];
}
