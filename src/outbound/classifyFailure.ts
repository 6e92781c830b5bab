import type { TransportError } from '../transport/TransportError.js';

/**
 * What a failed upload or notification says about the platform, which decides what it costs:
 * - `maintenance`: the gateway answered 503 (with a maintenance notice it is a window; bare, an outage);
 * - `outage`: the platform could not be reached or did not answer: the circuit breaker's business,
 *   never the retry budget's;
 * - `login-refused`, `host-key-changed`, `gateway-untrusted`: only an operator can clear these
 *   (unless the platform announces a window, during which it refuses logins);
 * - `answered`: the platform answered and refused (an HTTP 4xx): the retry budget counts it.
 */
export type FailureKind = 'maintenance' | 'outage' | 'login-refused' | 'host-key-changed' | 'gateway-untrusted' | 'answered';

export function classifyFailure(error: TransportError): FailureKind {
  switch (error.code) {
    case 'gateway-maintenance':
      return 'maintenance';
    case 'sftp-auth':
      return 'login-refused';
    case 'sftp-host-key':
      return 'host-key-changed';
    case 'gateway-tls':
      return 'gateway-untrusted';
    case 'gateway-http':
      return error.httpStatus !== null && error.httpStatus < 500 ? 'answered' : 'outage';
    case 'gateway-response':
    case 'sftp-remote-missing':
      return 'answered';
    case 'sftp-connect':
    case 'sftp-transfer':
    case 'gateway-connect':
    case 'gateway-timeout':
    case 'gateway-reset':
      return 'outage';
  }
}
