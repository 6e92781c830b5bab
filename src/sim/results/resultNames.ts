/**
 * Result files are named `<common name>-ProcessResult` and `<common name>-SummaryResult`, so a
 * client classifies them by their ending (`classifyOutboxName`) and matches them to the pack by
 * the common name they start with; neither is itself a common name.
 */
export function processResultName(commonName: string): string {
  return `${commonName}-ProcessResult`;
}

export function summaryResultName(commonName: string): string {
  return `${commonName}-SummaryResult`;
}

/** An E0501 download: `<common name of the E0501 envelope>-E0501`. */
export function e0501FileName(commonName: string): string {
  return `${commonName}-E0501`;
}
