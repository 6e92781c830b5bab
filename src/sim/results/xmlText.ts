/** Escapes element text (`& < >`). */
export function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<name>text</name>`, escaped, at the given indentation. */
export function leaf(indent: string, name: string, value: string): string {
  return `${indent}<${name}>${xmlText(value)}</${name}>\n`;
}

/** The leaves naming the judged pack (in ProcessResult's MessageInfo and SummaryResult's Info). */
export function packInfoLeaves(
  indent: string,
  // PackOutcome's fields, written out: importing its type would close a circle (PackOutcome → ResultRouting → here).
  outcome: { messageId: string; size: number; messageType: string; serviceType: string; action: string },
): string {
  return (
    leaf(indent, 'Id', outcome.messageId) +
    leaf(indent, 'Size', String(outcome.size)) +
    leaf(indent, 'MessageType', outcome.messageType) +
    leaf(indent, 'Service', outcome.serviceType) +
    leaf(indent, 'Action', outcome.action)
  );
}
