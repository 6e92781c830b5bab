import { defineFailpoints } from '../failpoints/failpoints.js';

/** The daemon's own step boundaries. */
export const DAEMON_FAILPOINTS = {
  /** The daemon was asked to stop and has stopped taking files. */
  'mid-drain': 'while draining, after intake stopped and before the store was closed',
} as const;

export const daemonFailpoint = defineFailpoints(DAEMON_FAILPOINTS);
