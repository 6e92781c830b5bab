/** Escapes element text the way the envelope writes it: `&`, `<` and `>` only. */
export function escapeText(value: string): string {
  return value.replace(/[&<>]/g, (c) => ENTITIES[c] ?? c);
}

/** Escapes an attribute value: `&`, `<`, `>`, `"` and `'`. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
