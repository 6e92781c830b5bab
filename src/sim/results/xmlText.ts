/** Escapes element text (`& < >`). */
export function xmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<name>text</name>`, escaped, at the given indentation. */
export function leaf(indent: string, name: string, value: string): string {
  return `${indent}<${name}>${xmlText(value)}</${name}>\n`;
}
