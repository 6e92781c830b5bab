/**
 * Rules the simulator applies on top of the project's validator: deliberate differences, so that
 * a test can make the platform refuse what the daemon accepted (as the real platform sometimes
 * does). They can be changed while running.
 */
export interface ExtraRules {
  /**
   * These message numbers are refused (E9102, rule `reject-invoice-number`): `AB12345678` refuses
   * every message with that number, `F0501:AB12345678` only the message of that type.
   */
  rejectInvoiceNumbers: string[];
  /** F/G messages whose seller is not the sending merchant are refused (`seller-not-sender`). */
  requireSellerIsSender: boolean;
  /** F0401 numbers outside the seller's allocation for the invoice's period are refused (`number-not-allocated`). */
  requireAllocatedNumbers: boolean;
}

export const DEFAULT_EXTRA_RULES: ExtraRules = {
  rejectInvoiceNumbers: [],
  requireSellerIsSender: false,
  requireAllocatedNumbers: false,
};
