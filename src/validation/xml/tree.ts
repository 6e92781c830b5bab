/** A plain-JavaScript copy of a document's elements, which rules and field readers work on. */
export interface Element {
  readonly name: string;
  /** 1-based line of the start tag. */
  readonly line: number;
  /** Text content of a leaf element ('' when empty); for elements with children, ''. */
  text: string;
  readonly children: Element[];
  readonly parent: Element | null;
}

/** The first child element with this name. */
export function child(element: Element | null | undefined, name: string): Element | null {
  if (!element) return null;
  for (const c of element.children) if (c.name === name) return c;
  return null;
}

export function children(element: Element | null | undefined, name: string): Element[] {
  return element ? element.children.filter((c) => c.name === name) : [];
}

/** Text of a descendant by a `/`-separated path of child names; null when absent. */
export function textAt(element: Element | null, path: string): string | null {
  // Walks the path in place (no split): this runs for every field of every message.
  let current: Element | null = element;
  let from = 0;
  while (current !== null) {
    const slash = path.indexOf('/', from);
    const to = slash === -1 ? path.length : slash;
    current = childNamedAt(current, path, from, to);
    if (slash === -1) break;
    from = slash + 1;
  }
  return current ? current.text.trim() : null;
}

/** The first child whose name is `path.slice(from, to)`. */
function childNamedAt(element: Element, path: string, from: number, to: number): Element | null {
  for (const c of element.children) if (c.name.length === to - from && path.startsWith(c.name, from)) return c;
  return null;
}

/** The element's path from the root, e.g. `/Invoice/Amount/TaxAmount`; items get a position. */
export function pathOf(element: Element): string {
  const parts: string[] = [];
  for (let e: Element | null = element; e; e = e.parent) {
    const siblings = e.parent ? e.parent.children.filter((c) => c.name === e!.name) : [];
    parts.unshift(siblings.length > 1 ? `${e.name}[${siblings.indexOf(e) + 1}]` : e.name);
  }
  return `/${parts.join('/')}`;
}

/** The deepest element named `name` that starts on `line`; used to give XSD errors a path. */
export function findByLine(root: Element, line: number, name: string | null): Element | null {
  let found: Element | null = null;
  const visit = (e: Element): void => {
    if (e.line === line && (name === null || e.name === name)) found = e;
    for (const c of e.children) if (c.line <= line) visit(c);
  };
  visit(root);
  return found;
}
