/**
 * Where a tag's name ends when XML text is scanned by hand: XML white space (space, tab, CR, LF),
 * `/` or `>`. Scanners that use it read only text a real parser has accepted or will check.
 */
export function isNameEnd(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2f || c === 0x3e;
}
