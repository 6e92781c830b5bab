import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, request } from 'undici';
import { TransportError } from '../TransportError.js';
import type { Pfs001Body, TransParty } from '../../protocol/pfs001Body.js';

export interface PartyRouting {
  partyId: string;
  partyDescription?: string;
  routingId: string;
  routingDescription?: string;
}

/** What one PFS001 notification says; `retry` counts earlier notifications of the same file. */
export interface UploadNotification extends Pick<
  Pfs001Body,
  'serviceType' | 'messageType' | 'action' | 'quantity' | 'migVersion' | 'filename' | 'size' | 'retry' | 'apiVersion' | 'turnkeyVersion'
> {
  from: PartyRouting;
  to: PartyRouting;
  zipped: boolean;
}

export interface GatewaySettings {
  /** e.g. `https://tgw.einvoice.nat.gov.tw/gateway/api` (no trailing slash needed). */
  baseUrl: string;
  loginId: string;
  loginPassword: string;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  /** PEM certificates of further authorities to trust (platform.gateway.caFile), beside Node's own. */
  extraCaPem?: string | null;
}

export interface StatusDetail {
  code: string;
  description: string | null;
  parameter: string[];
}

/** The gateway answered: statusCode 0 means the pack was queued, anything else that it was not. */
export interface NotificationAnswer {
  statusCode: number;
  statusDetail: StatusDetail[];
}

/**
 * The PFS001 gateway call (`POST …/pfs001i/uploadInvoiceMessage`). It never retries by itself: a
 * POST that may have been acted on is retried by the outbound scheduler, from the store.
 */
export class GatewayClient {
  private readonly agent: Agent;
  private readonly url: string;

  constructor(private readonly settings: GatewaySettings) {
    this.agent = gatewayAgent(settings);
    this.url = `${settings.baseUrl.replace(/\/+$/, '')}/pfs001i/uploadInvoiceMessage`;
  }

  /** The exact JSON body, keys in the order the platform's own client sends them. */
  static body(settings: Pick<GatewaySettings, 'loginId' | 'loginPassword'>, n: UploadNotification): string {
    const side = (p: PartyRouting): TransParty => ({
      partyInfo: { partyId: p.partyId, ...(p.partyDescription !== undefined && { description: p.partyDescription }) },
      routingInfo: { routingId: p.routingId, ...(p.routingDescription !== undefined && { description: p.routingDescription }) },
    });
    const body: Pfs001Body = {
      loginId: settings.loginId,
      loginPassword: settings.loginPassword,
      transFrom: side(n.from),
      transTo: side(n.to),
      serviceType: n.serviceType,
      messageType: n.messageType,
      action: n.action,
      quantity: n.quantity,
      migVersion: n.migVersion,
      filename: n.filename,
      size: n.size,
      zip: n.zipped ? '1' : '0',
      retry: n.retry,
      apiVersion: n.apiVersion,
      turnkeyVersion: n.turnkeyVersion,
    };
    return JSON.stringify(body);
  }

  /**
   * Sends one notification. Resolves with the gateway's answer; rejects with a TransportError whose
   * `outcomeUnknown` is true when the request may have reached the platform (timeout or broken
   * connection after sending, a 5xx other than the maintenance 503).
   */
  async notify(notification: UploadNotification): Promise<NotificationAnswer> {
    const basic = Buffer.from(`${this.settings.loginId}:${this.settings.loginPassword}`, 'utf8').toString('base64');
    let response;
    try {
      response = await request(this.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json', authorization: `Basic ${basic}` },
        body: GatewayClient.body(this.settings, notification),
        signal: AbortSignal.timeout(this.settings.totalTimeoutMs),
      });
    } catch (err) {
      throw classifyRequestError(err, this.settings.baseUrl);
    }

    let text: string;
    try {
      text = await response.body.text();
    } catch (err) {
      throw classifyRequestError(err, this.settings.baseUrl, true);
    }
    if (response.statusCode === 503) {
      throw new TransportError(
        'gateway-maintenance',
        `the gateway answered 503 (platform unavailable or in maintenance): ${text.slice(0, 200)}`,
        { httpStatus: 503, body: text },
      );
    }
    if (response.statusCode < 200 || response.statusCode > 299) {
      throw new TransportError('gateway-http', `the gateway answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`, {
        httpStatus: response.statusCode,
        // A 4xx means our request was refused before it was acted on; a 5xx may come after.
        outcomeUnknown: response.statusCode >= 500,
      });
    }
    return parseAnswer(text, response.statusCode);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function parseAnswer(text: string, httpStatus: number): NotificationAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TransportError('gateway-response', `the gateway's answer is not JSON: ${text.slice(0, 200)}`, {
      outcomeUnknown: true,
      httpStatus,
    });
  }
  const answer = parsed as { statusCode?: unknown; statusDetail?: unknown };
  if (typeof answer.statusCode !== 'number' || !Number.isInteger(answer.statusCode)) {
    throw new TransportError('gateway-response', `the gateway's answer has no integer statusCode: ${text.slice(0, 200)}`, {
      outcomeUnknown: true,
      httpStatus,
    });
  }
  const details = Array.isArray(answer.statusDetail) ? answer.statusDetail : [];
  return {
    statusCode: answer.statusCode,
    statusDetail: details.map((d: { code?: unknown; description?: unknown; parameter?: unknown }) => ({
      code: String(d?.code ?? ''),
      description: typeof d?.description === 'string' ? d.description : null,
      parameter: Array.isArray(d?.parameter) ? d.parameter.map(String) : [],
    })),
  };
}

/**
 * The connection pool to the gateway: certificates verified (set here, so that
 * NODE_TLS_REJECT_UNAUTHORIZED=0 in the environment cannot turn verification off), against Node's
 * CAs and the extra one configured. `turnkey doctor` probes through the same.
 */
export function gatewayAgent(settings: Pick<GatewaySettings, 'connectTimeoutMs' | 'totalTimeoutMs' | 'extraCaPem'>): Agent {
  return new Agent({
    connect: {
      timeout: settings.connectTimeoutMs,
      rejectUnauthorized: true,
      ...(settings.extraCaPem ? { ca: [...rootCertificates, ...nodeExtraCaPem(), settings.extraCaPem] } : {}),
    },
    headersTimeout: settings.totalTimeoutMs,
    bodyTimeout: settings.totalTimeoutMs,
  });
}

/**
 * The certificates of NODE_EXTRA_CA_CERTS: Node adds them to its own CAs at start, but a connection
 * given its own list (with platform.gateway.caFile) would leave them out. An unreadable file adds
 * nothing: Node warned of it at start.
 */
function nodeExtraCaPem(file = process.env.NODE_EXTRA_CA_CERTS): string[] {
  if (!file) return [];
  try {
    return [readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}

/** OpenSSL's verdicts on a certificate the client does not trust (Node's error codes). */
const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
]);

/** The TLS handshake failed for another reason (https to a plain-http port, no common protocol): nothing was sent either. */
const isHandshakeFailure = (code: string): boolean => code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_');

/** Connection failures before the request left are known not to have reached the platform. */
export function classifyRequestError(err: unknown, baseUrl: string, afterResponse = false): TransportError {
  const code = (err as { code?: string })?.code ?? '';
  const name = (err as { name?: string })?.name ?? '';
  const message = (err as Error)?.message ?? String(err);
  if (
    !afterResponse &&
    ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN'].includes(code)
  ) {
    return new TransportError('gateway-connect', `cannot connect to the gateway at ${baseUrl}: ${code}`, { cause: err });
  }
  if (!afterResponse && TLS_TRUST_CODES.has(code)) {
    // Refused by us before anything was sent: not an outage to wait out but a certificate to check.
    return new TransportError('gateway-tls', `the gateway at ${baseUrl} presented a certificate that is not trusted: ${code}`, {
      cause: err,
      hint:
        "Check platform.gateway.baseUrl's host name; for a private CA or a company TLS proxy, give its certificate in " +
        'platform.gateway.caFile.',
    });
  }
  if (!afterResponse && isHandshakeFailure(code)) {
    return new TransportError('gateway-connect', `the TLS handshake with the gateway at ${baseUrl} failed: ${code}`, {
      cause: err,
      hint: 'Check that platform.gateway.baseUrl names the https port of the gateway.',
    });
  }
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new TransportError('gateway-timeout', `the gateway did not answer in time (${baseUrl})`, { cause: err, outcomeUnknown: true });
  }
  return new TransportError('gateway-reset', `the connection to the gateway broke: ${code || message}`, {
    cause: err,
    outcomeUnknown: true,
  });
}
