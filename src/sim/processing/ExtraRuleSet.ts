import { checkRules } from '../SimulatorOptions.js';
import type { ExtraRules } from './ExtraRules.js';

/** The extra rules in force, shared by the queue (which reads them at each decision) and the controls (which change them). */
export class ExtraRuleSet {
  private current: ExtraRules;

  constructor(initial: ExtraRules) {
    this.current = checkRules(initial);
  }

  get(): ExtraRules {
    return this.current;
  }

  update(patch: Partial<ExtraRules>): ExtraRules {
    this.current = checkRules({ ...this.current, ...patch });
    return structuredClone(this.current);
  }
}
