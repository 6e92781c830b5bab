import { defineFailpoints } from '../failpoints/failpoints.js';

/** The steps of generating unused-number reports (crash tests kill at each). */
export const TRACK_FAILPOINTS = {
  'after-blank-record': 'after E0402 reports were recorded (planned), before their files were written to SRC',
  'after-blank-drop': 'after an E0402 file was written durably to SRC, before its report was marked dropped',
} as const;

export const trackFailpoint = defineFailpoints(TRACK_FAILPOINTS);
