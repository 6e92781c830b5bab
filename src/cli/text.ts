/**
 * Text for a terminal: columns measured as a console shows them (CJK and full-width characters
 * take two columns, in a Windows console too), and colour only when the output is a terminal.
 */

/** The columns `text` takes on a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return width;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

/** East Asian Wide and Fullwidth ranges (Unicode 15, the blocks Traditional Chinese text uses). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

export interface Paint {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

/** ANSI colours when `enabled` (stdout is a terminal and NO_COLOR is not set), plain text otherwise. */
export function paint(enabled: boolean): Paint {
  const wrap = (code: number) => (text: string) => (enabled ? `\u001b[${code}m${text}\u001b[0m` : text);
  return { red: wrap(31), yellow: wrap(33), green: wrap(32) };
}

/** Whether to colour what goes to standard output. */
export function colourWanted(): boolean {
  return process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
}
