import { defineFailpoints } from '../failpoints/failpoints.js';

/** The step boundaries of taking a result in (crash tests kill at each). */
export const RESULT_FAILPOINTS = {
  'after-result-download': 'after a result file was published locally, before it was recorded and deleted remotely',
  'after-result-apply': 'after a result was applied to its messages',
} as const;

export const resultFailpoint = defineFailpoints(RESULT_FAILPOINTS);
