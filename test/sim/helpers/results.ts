import { Validator } from '../../../src/validation/Validator.js';
import { readElements } from '../../../src/validation/xml/elementReader.js';
import { child, children, textAt, type Element } from '../../../src/validation/xml/tree.js';

let validator: Validator | undefined;

/** The project's validator, which checks result files against schemas/ProcessResult.xsd and SummaryResult.xsd. */
export async function resultValidator(): Promise<Validator> {
  validator ??= await Validator.create();
  return validator;
}

export interface ReadProcessResult {
  id: string;
  infos: Array<{ code: string; description: string | null; parameters: string[] }>;
}

export function readProcessResult(xml: Buffer): ReadProcessResult {
  const root = readElements(xml.toString('utf8'));
  return {
    id: textAt(root, 'MessageInfo/Id') ?? '',
    infos: children(child(root, 'Result'), 'Info').map((info: Element) => ({
      code: textAt(info, 'Code') ?? '',
      description: textAt(info, 'Description'),
      parameters: [0, 1, 2, 3, 4].map((i) => textAt(info, `Parameter${i}`)).filter((p): p is string => p !== null),
    })),
  };
}

export interface ReadSummary {
  id: string;
  total: number;
  good: { count: number; numbers: string[] | null };
  failed: { count: number; numbers: string[] | null };
}

export function readSummaryResult(xml: Buffer): ReadSummary {
  const root = readElements(xml.toString('utf8'));
  const message = children(child(root, 'DetailList'), 'Message')[0]!;
  const result = child(message, 'ResultType');
  const part = (name: string) => {
    const element = child(result, name);
    const invoices = child(element, 'Invoices');
    return {
      count: Number(textAt(element, 'Count')),
      numbers: invoices ? children(invoices, 'Invoice').map((i: Element) => textAt(i, 'ReferenceNumber') ?? '') : null,
    };
  };
  return { id: textAt(message, 'Info/Id') ?? '', total: part('Total').count, good: part('Good'), failed: part('Failed') };
}
