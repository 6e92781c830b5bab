import { defineFailpoints } from '../failpoints/failpoints.js';

/** The step boundaries of sending, in the order a pack passes them (crash tests kill at each). */
export const OUTBOUND_FAILPOINTS = {
  'after-pack-file': 'after a signed file was written durably, before its pack was recorded',
  'after-pack-record': 'after a pack and its messages (packed) were recorded, before any upload',
  'after-upload': 'after the signed file was uploaded and recorded, before the notification',
  'after-notify': 'after the gateway answered a notification, before the answer was recorded',
} as const;

export const outboundFailpoint = defineFailpoints(OUTBOUND_FAILPOINTS);
