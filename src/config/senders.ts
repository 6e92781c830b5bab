/** Matches "every seller" in a sender's `bans`. */
export const ANY_SELLER = '*';

/**
 * The sender that sends for a seller: the one listing the seller's BAN, else one listing `*`;
 * undefined when none does (intake refuses such a message: `sender-unknown`). Pure.
 */
export function senderForSeller<S extends { readonly bans: readonly string[] }>(senders: readonly S[], sellerId: string): S | undefined {
  return senders.find((s) => s.bans.includes(sellerId)) ?? senders.find((s) => s.bans.includes(ANY_SELLER));
}

/** Whether some sender covers this seller (intake's question). */
export function coversSeller(senders: ReadonlyArray<{ readonly bans: readonly string[] }>): (sellerId: string) => boolean {
  return (sellerId) => senderForSeller(senders, sellerId) !== undefined;
}
