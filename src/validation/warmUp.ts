import { f0401Xml, invoiceNumber } from '../mig/F0401Factory.js';
import type { ValidationReport } from './types.js';

export interface WarmUpOptions {
  /** How many validations at most. Default 2,500: past that, measured, a validation costs no less. */
  iterations?: number;
  /** And for how long at most, in milliseconds (a slow machine stops early). Default 1,500. */
  budgetMs?: number;
}

export interface WarmUpResult {
  iterations: number;
  ms: number;
  /** False when the built-in invoice did not pass: the warm-up stopped at once (a schema folder of another version, say). */
  valid: boolean;
}

/**
 * Validates a built-in valid F0401 over and over before a thread takes real work. A fresh thread
 * runs libxml2's WebAssembly in its baseline tier and our rules unoptimized: measured on a 2-core
 * server, the first 300 validations took 9 times as long each as later ones, and the first 2,500
 * together about 0.45 s instead of 0.15 s. Warmed up at start, the first burst after a (re)start,
 * typically the backlog the ERP wrote meanwhile, is checked at full speed. No I/O, nothing kept.
 */
export function warmUp(
  validator: { validate(bytes: Uint8Array): ValidationReport },
  { iterations = 2500, budgetMs = 1500 }: WarmUpOptions = {},
): WarmUpResult {
  const bytes = Buffer.from(f0401Xml({ number: invoiceNumber(0, 'WU') }));
  const start = performance.now();
  let done = 0;
  while (done < iterations && performance.now() - start < budgetMs) {
    const report = validator.validate(bytes);
    done++;
    if (!report.valid) return { iterations: done, ms: performance.now() - start, valid: false };
  }
  return { iterations: done, ms: performance.now() - start, valid: true };
}
