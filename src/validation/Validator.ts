import { ParseOption, XmlDocument, XmlParseError, XmlValidateError, type ErrorDetail } from 'libxml2-wasm';
import { identify, invoiceIdentifier, type MessageFamily } from '../mig/catalog.js';
import { readFields } from './fields.js';
import { say, type Lang, type MessageId } from './messages.js';
import { runRules, type B2cTaxIncludedPolicy } from './rules/index.js';
import { SchemaSet } from './schema/SchemaSet.js';
import { refusedReport, type Finding, type FindingCode, type ValidationReport } from './types.js';
import { preflight, type PreflightProblem } from './xml/preflight.js';
import { readElements } from './xml/elementReader.js';
import { findByLine, pathOf, type Element } from './xml/tree.js';
import { DEFAULT_MAX_BYTES } from './limits.js';

export interface ValidatorOptions {
  /** A folder of XSDs to use instead of the bundled MIG 4.1 schemas (e.g. Turnkey's `xsd/v41/`). */
  schemasDir?: string;
  lang?: Lang;
  /** Files larger than this are refused unread (`too-large`). Default 20 MiB. */
  maxBytes?: number;
  /** How far in the future a date may lie before it is `date-future`. Default 300 s. */
  clockSkewSeconds?: number;
  /** The clock, for tests. */
  now?: () => Date;
  /** B2C invoices with tax-included SalesAmount and TaxAmount 0. Default `warn` (accepted). */
  b2cTaxIncluded?: B2cTaxIncludedPolicy;
}

export { DEFAULT_MAX_BYTES };
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;

// No network, no external entities, no DTD loading; big line numbers so errors point at the line.
const PARSE_OPTIONS =
  ParseOption.XML_PARSE_NONET |
  ParseOption.XML_PARSE_NO_XXE |
  ParseOption.XML_PARSE_BIG_LINES |
  // Whitespace between elements means nothing in MIG messages; dropping it makes parsing cheaper.
  ParseOption.XML_PARSE_NOBLANKS |
  ParseOption.XML_PARSE_COMPACT;

/**
 * Validates MIG messages: encoding and safety checks on the bytes, one parse with libxml2, the XSD
 * of the message's namespace, then the business rules on a plain copy of the tree. Schemas are
 * compiled once, when the validator is created.
 */
export class Validator {
  private readonly schemas: SchemaSet;
  private readonly lang: Lang;
  private readonly maxBytes: number;
  private readonly clockSkewSeconds: number;
  private readonly now: () => Date;
  private readonly b2cTaxIncluded: B2cTaxIncludedPolicy;

  private constructor(schemas: SchemaSet, options: ValidatorOptions) {
    this.schemas = schemas;
    this.lang = options.lang ?? 'en';
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.clockSkewSeconds = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
    this.now = options.now ?? (() => new Date());
    this.b2cTaxIncluded = options.b2cTaxIncluded ?? 'warn';
  }

  static async create(options: ValidatorOptions = {}): Promise<Validator> {
    return new Validator(SchemaSet.load(options.schemasDir), options);
  }

  /** The folder the schemas were loaded from. */
  get schemasDir(): string {
    return this.schemas.dir;
  }

  /** Defects found (and repaired) in the schema files, once per validator. */
  get schemaWarnings(): Finding[] {
    return this.schemas.repairs.map((r) => ({
      code: 'schema-defect',
      message: say(this.lang, 'schemaDefect', { file: r.file, line: r.line, what: r.what }),
      line: r.line,
      path: r.file,
    }));
  }

  /** Synchronous and without I/O; bad input never throws, it gives a report with errors. */
  validate(bytes: Uint8Array, options: { file?: string } = {}): ValidationReport {
    const report = refusedReport(options.file ?? null, []);
    const problem = preflight(bytes, this.maxBytes);
    if (problem) {
      report.errors.push(this.preflightFinding(problem));
      return report;
    }

    let doc: XmlDocument;
    try {
      doc = XmlDocument.fromBuffer(bytes, { option: PARSE_OPTIONS });
    } catch (err) {
      const detail: ErrorDetail | undefined = err instanceof XmlParseError ? err.details[0] : undefined;
      report.errors.push(
        this.finding('wellformed', 'wellformed', detail?.line ?? null, null, {
          line: detail?.line ?? '?',
          col: detail?.col ?? '?',
          detail: (detail?.message ?? String(err)).trim(),
        }),
      );
      return report;
    }
    try {
      this.validateDocument(doc, bytes, report);
    } finally {
      doc.dispose();
    }
    report.valid = report.errors.length === 0;
    return report;
  }

  private validateDocument(doc: XmlDocument, bytes: Uint8Array, report: ValidationReport): void {
    const rootNode = doc.root;
    const namespace = rootNode.namespaceUri ?? '';
    const identity = identify(namespace, rootNode.name);
    let family: MessageFamily;
    if (identity.kind === 'current') {
      family = identity.spec.family;
      report.messageType = identity.spec.type;
      report.version = identity.version;
      report.category = identity.spec.category;
    } else if (identity.kind === 'other-version' && this.schemas.validatorFor(namespace)) {
      // Another version's schemas were dropped in on purpose: check against them.
      family = identity.family;
      report.messageType = identity.type;
      report.version = identity.version;
    } else {
      const root = rootNode.name;
      report.errors.push(
        identity.kind === 'other-version'
          ? this.finding('unknown-message', 'retiredVersion', rootNode.line, `/${root}`, {
              type: identity.type,
              version: identity.version,
              current: '4.1',
              replacedBy: identity.replacedBy,
            })
          : this.finding('unknown-message', 'unknownMessage', rootNode.line, `/${root}`, { root, namespace }),
      );
      return;
    }

    const tree = readElements(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    if (tree.name !== rootNode.name) {
      // Both read the same UTF-8 text (preflight lets nothing else through); if they ever disagree,
      // the rules would judge another document than the schema did.
      report.errors.push(
        this.finding('wellformed', 'unreadableDocument', rootNode.line, `/${rootNode.name}`, {
          detail: `root <${rootNode.name}> against <${tree.name}>`,
        }),
      );
      return;
    }
    const fields = readFields(tree, family);
    report.fields = fields;
    if (fields?.number && fields.date && report.messageType) {
      report.key = { number: fields.number, date: fields.date };
      report.invoiceIdentifier = invoiceIdentifier(report.messageType, fields.number, fields.date);
    }

    const xsd = this.schemas.validatorFor(namespace);
    if (!xsd) {
      report.errors.push(this.finding('unknown-message', 'noSchema', rootNode.line, `/${rootNode.name}`, { namespace }));
      return;
    }
    try {
      xsd.validate(doc);
    } catch (err) {
      if (err instanceof XmlValidateError) {
        for (const detail of err.details) report.errors.push(this.xsdFinding(detail, tree));
      } else {
        // libxml2 gives up on some documents it parsed ("Invalid input or internal error"): a refusal, never a crash.
        report.errors.push(
          this.finding('xsd', 'schemaCheckFailed', null, null, { detail: err instanceof Error ? err.message : String(err) }),
        );
      }
      return; // the rules assume the structure the schema guarantees
    }

    const rules = runRules(tree, family, {
      lang: this.lang,
      now: this.now(),
      clockSkewSeconds: this.clockSkewSeconds,
      b2cTaxIncluded: this.b2cTaxIncluded,
    });
    report.errors.push(...rules.errors);
    report.warnings.push(...rules.warnings);
  }

  private xsdFinding(detail: ErrorDetail, tree: Element): Finding {
    // Namespaces (`{urn:GEINV:...}`) are noise in a message; a pattern's `{2}` is not, and stays.
    const text = detail.message.trim().replace(/\{(?:urn|https?):[^}]*\}/g, '');
    const name = /Element '(?:\{[^}]*\})?([^']+)'/.exec(detail.message)?.[1] ?? null;
    const element = detail.line ? findByLine(tree, detail.line, name) : null;
    return this.finding('xsd', 'xsd', detail.line || null, element ? pathOf(element) : null, { detail: text });
  }

  private preflightFinding(problem: PreflightProblem): Finding {
    switch (problem.code) {
      case 'too-large':
        return this.finding('too-large', 'tooLarge', null, null, { size: problem.size, limit: problem.limit });
      case 'unsafe-xml':
        return this.finding('unsafe-xml', 'unsafeXml', problem.line, null);
      case 'encoding':
        switch (problem.kind) {
          case 'invalid-utf8':
            return this.finding('encoding', problem.looksLikeBig5 ? 'encodingBig5' : 'encodingInvalid', problem.line, null, {
              line: problem.line,
            });
          case 'nul':
            return this.finding('encoding', 'encodingNul', problem.line, null, { line: problem.line });
          case 'wide':
            return this.finding('encoding', 'encodingWide', 1, null, { encoding: problem.encoding, bom: problem.bom ? 1 : 0 });
          case 'declared':
            return this.finding('encoding', 'encodingDeclared', 1, null, { declared: problem.declared });
        }
    }
  }

  private finding(
    code: FindingCode,
    id: MessageId,
    line: number | null,
    path: string | null,
    params: Record<string, string | number> = {},
  ): Finding {
    return { code, message: say(this.lang, id, params), line, path };
  }

  dispose(): void {
    this.schemas.dispose();
  }
}
