import { defineFailpoints } from '../failpoints/failpoints.js';

/** The sending gate's transitions around a maintenance window (crash tests kill at each). */
export const SCHEDULE_FAILPOINTS = {
  'after-pause': 'after sending was recorded as paused for a maintenance window',
  'after-resume': 'after sending was recorded as resumed once a maintenance window ended',
} as const;

export const scheduleFailpoint = defineFailpoints(SCHEDULE_FAILPOINTS);
