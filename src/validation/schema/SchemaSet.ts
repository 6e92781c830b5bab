import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XmlBufferInputProvider, XmlDocument, XsdValidator, xmlRegisterInputProvider, ParseOption } from 'libxml2-wasm';
import { TurnkeyError } from '../../errors/index.js';

/** A schema folder that cannot be used at all (missing, unreadable, or a schema does not compile). */
export class SchemaLoadError extends TurnkeyError {
  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super('schema-load', message, options);
  }
}

/** Something wrong in a schema file that the loader repaired; reported, not fatal. */
export interface SchemaRepair {
  file: string;
  line: number;
  what: string;
}

export const BUNDLED_SCHEMAS_DIR = resolve(fileURLToPath(new URL('../../../schemas/', import.meta.url)));

/**
 * Every schema file of one folder, compiled once. libxml2 reads no file by itself: schemas are read
 * here and served to it from memory under a private URL scheme, so an `xsd:include` finds its
 * sibling and nothing else on the disk is reachable (instance documents are never parsed with a URL
 * this provider answers).
 */
export class SchemaSet {
  readonly dir: string;
  readonly repairs: SchemaRepair[];
  private readonly validators: Map<string, XsdValidator>;

  private constructor(dir: string, validators: Map<string, XsdValidator>, repairs: SchemaRepair[]) {
    this.dir = dir;
    this.validators = validators;
    this.repairs = repairs;
  }

  static load(dir: string = BUNDLED_SCHEMAS_DIR): SchemaSet {
    const absolute = resolve(dir);
    let names: string[];
    try {
      if (!statSync(absolute).isDirectory()) throw new Error('not a directory');
      names = readdirSync(absolute, { recursive: true, encoding: 'utf8' }).filter((n) => n.toLowerCase().endsWith('.xsd'));
    } catch (cause) {
      throw new SchemaLoadError(`cannot read the schema folder ${absolute}`, {
        cause,
        hint: "Give a folder holding the XSD files (e.g. Turnkey 3.2's xsd/v41/), or none for the bundled ones.",
      });
    }
    if (names.length === 0) {
      throw new SchemaLoadError(`the schema folder ${absolute} holds no .xsd file`, {
        hint: "Give a folder holding the XSD files (e.g. Turnkey 3.2's xsd/v41/), or none for the bundled ones.",
      });
    }

    const prefix = `turnkey-schema://${nextSetId++}/`;
    const repairs: SchemaRepair[] = [];
    const sources = new Map<string, { text: string; targetNamespace: string | null }>();
    for (const name of names.sort()) {
      const relative = name.split(/[\\/]/).join('/');
      const repaired = repairKnownDefects(relative, readFileSync(join(absolute, name), 'utf8'), repairs);
      sources.set(relative, { text: repaired, targetNamespace: targetNamespaceOf(repaired) });
      // Includes name their sibling by base name; serve each file under its path and base name.
      const bytes = Buffer.from(repaired, 'utf8');
      provider().addBuffer(prefix + relative, bytes);
    }

    const validators = new Map<string, XsdValidator>();
    for (const [relative, { text, targetNamespace }] of sources) {
      if (!targetNamespace || !declaresTopLevelElement(text)) continue;
      let schemaDoc: XmlDocument | null = null;
      try {
        schemaDoc = XmlDocument.fromBuffer(Buffer.from(text, 'utf8'), {
          url: prefix + relative,
          option: ParseOption.XML_PARSE_NONET,
        });
        const validator = XsdValidator.fromDoc(schemaDoc);
        const previous = validators.get(targetNamespace);
        previous?.dispose();
        validators.set(targetNamespace, validator);
      } catch (cause) {
        throw new SchemaLoadError(`schema ${join(absolute, relative)} does not compile: ${describe(cause)}`, { cause });
      } finally {
        schemaDoc?.dispose();
      }
    }
    return new SchemaSet(absolute, validators, repairs);
  }

  /** The compiled schema for a target namespace, if the folder has one. */
  validatorFor(namespace: string): XsdValidator | undefined {
    return this.validators.get(namespace);
  }

  namespaces(): string[] {
    return [...this.validators.keys()];
  }

  dispose(): void {
    for (const v of this.validators.values()) v.dispose();
    this.validators.clear();
  }
}

let nextSetId = 1;
let sharedProvider: XmlBufferInputProvider | null = null;

function provider(): XmlBufferInputProvider {
  if (!sharedProvider) {
    const buffers = new XmlBufferInputProvider({});
    // Relative includes resolve against the including file's URL; this provider answers only for
    // URLs it holds, so nothing outside the loaded schema folders can be read.
    xmlRegisterInputProvider(buffers);
    sharedProvider = buffers;
  }
  return sharedProvider;
}

/**
 * The official files have known defects libxml2 refuses: a namespace or element name with leading
 * or trailing spaces (E0501.xsd's `" urn:GEINV:E0501:3.1"`, element names in E0401/E0402). They
 * are trimmed, and each repair is reported.
 */
function repairKnownDefects(file: string, text: string, repairs: SchemaRepair[]): string {
  return text.replace(
    /\b(targetNamespace|xmlns(?::\w+)?|name|ref|namespace)="(\s+[^"]*|[^"]*\s+)"/g,
    (whole, attribute: string, value: string, offset: number) => {
      const trimmed = value.trim();
      if (trimmed === value) return whole;
      repairs.push({
        file,
        line: text.slice(0, offset).split('\n').length,
        what: `${attribute}="${value}" has surrounding spaces; read as "${trimmed}"`,
      });
      return `${attribute}="${trimmed}"`;
    },
  );
}

function targetNamespaceOf(text: string): string | null {
  const match = /<(?:\w+:)?schema\b[^>]*\btargetNamespace="([^"]*)"/.exec(text);
  return match ? match[1]! : null;
}

function declaresTopLevelElement(text: string): boolean {
  return /<(?:\w+:)?element\b/.test(text);
}

function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'details' in err && Array.isArray((err as { details: unknown[] }).details)) {
    const details = (err as { details: { message: string; line: number }[] }).details;
    return details.map((d) => `line ${d.line}: ${d.message.trim()}`).join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}
