/** The gateway faults, in the order they are drawn for each notification (the first that fires wins). */
export const GATEWAY_FAULTS = [
  'gateway500',
  'gateway502',
  'gateway503',
  'gatewayReset',
  'gatewayTimeoutAfterAccept',
  'gatewaySlowResponse',
] as const;

/**
 * The faults the simulator can inject, each with its own rate (0..1) and its own random stream:
 * - `sftpConnectRefused`: a new SFTP connection is dropped before the SSH handshake;
 * - `sftpUploadCut`: an upload into `in/` is cut mid-file (the connection drops after the first
 *   write; the partial file is never published);
 * - `gateway500`, `gateway502`, `gateway503`: the notification gets that HTTP status, nothing queued;
 * - `gatewayReset`: the notification's connection is reset with no answer, nothing queued;
 * - `gatewayTimeoutAfterAccept`: the pack is accepted and processed, but the answer comes only after
 *   `timeoutAfterAcceptMs` (never, when null): the client cannot know it was accepted;
 * - `gatewaySlowResponse`: the answer (a normal one) is held for `slowResponseMs`;
 * - `resultDelayed`: the result files are written `resultDelayMs` later than they would be;
 * - `resultNeverWritten`: the pack is processed and recorded, but no result file is ever written;
 * - `resultWrittenTwice`: each result file is written again, byte for byte, `resultRewriteDelayMs` later.
 */
export const FAULT_NAMES = [
  'sftpConnectRefused',
  'sftpUploadCut',
  ...GATEWAY_FAULTS,
  'resultDelayed',
  'resultNeverWritten',
  'resultWrittenTwice',
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

export type GatewayFault = (typeof GATEWAY_FAULTS)[number];

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}
