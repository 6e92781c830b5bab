import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayClient, type UploadNotification } from '../../src/transport/gateway/GatewayClient.js';
import { TransportError } from '../../src/transport/TransportError.js';
import { makeTempDir, openssl } from '../helpers/openssl.js';

const NOTIFICATION: UploadNotification = {
  from: { partyId: '12345678', routingId: '12345678' },
  to: { partyId: '0000000000', routingId: '0000000000' },
  serviceType: 'F0401',
  messageType: 'F0401',
  action: 'C0401',
  quantity: 1,
  migVersion: '4.1',
  filename: 'x.sig',
  size: 1,
  retry: 0,
  apiVersion: '3.1.3',
  turnkeyVersion: '3.2.1',
  zipped: false,
};

/**
 * The gateway's certificate is always verified: a self-signed one is refused with its own code
 * (not as a broken connection), before the password is sent, whatever NODE_TLS_REJECT_UNAUTHORIZED
 * says; trusting it takes platform.gateway.caFile.
 */
describe('GatewayClient over https', () => {
  const temp = makeTempDir('gateway-tls');
  let server: Server;
  let baseUrl = '';
  let certificatePem = '';
  let requests = 0;

  beforeAll(async () => {
    const made = openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      temp.path('key.pem'),
      '-out',
      temp.path('cert.pem'),
    ]);
    expect(made.status, made.stderr).toBe(0);
    certificatePem = readFileSync(temp.path('cert.pem'), 'utf8');
    server = createServer({ key: readFileSync(temp.path('key.pem')), cert: certificatePem }, (req, res) => {
      requests++;
      req.resume();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ statusCode: 0, statusDetail: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `https://127.0.0.1:${(server.address() as { port: number }).port}/gateway/api`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    temp.remove();
  });

  const client = (extraCaPem: string | null): GatewayClient =>
    new GatewayClient({ baseUrl, loginId: 'merchant1', loginPassword: 'secret', connectTimeoutMs: 5000, totalTimeoutMs: 5000, extraCaPem });

  async function refusal(gateway: GatewayClient): Promise<TransportError> {
    try {
      await gateway.notify(NOTIFICATION);
    } catch (err) {
      return err as TransportError;
    } finally {
      await gateway.close();
    }
    throw new Error('the notification went through');
  }

  it('refuses a self-signed certificate as gateway-tls, known not to have reached the platform', async () => {
    const error = await refusal(client(null));
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('gateway-tls');
    expect(error.outcomeUnknown).toBe(false);
    expect(error.hint).toMatch(/platform\.gateway\.caFile/);
    expect(requests).toBe(0);
  });

  it('keeps verifying when NODE_TLS_REJECT_UNAUTHORIZED=0 is set', async () => {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      expect((await refusal(client(null))).code).toBe('gateway-tls');
      expect(requests).toBe(0);
    } finally {
      if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    }
  });

  it('trusts the certificate given as an extra CA', async () => {
    const gateway = client(certificatePem);
    try {
      expect(await gateway.notify(NOTIFICATION)).toEqual({ statusCode: 0, statusDetail: [] });
      expect(requests).toBe(1);
    } finally {
      await gateway.close();
    }
  });

  it("still trusts NODE_EXTRA_CA_CERTS's certificates beside the configured one", async () => {
    // Another CA configured (caFile), the gateway's in NODE_EXTRA_CA_CERTS, as a company proxy's might be.
    const other = openssl(
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=other'].concat([
        '-keyout',
        temp.path('other-key.pem'),
        '-out',
        temp.path('other.pem'),
      ]),
    );
    expect(other.status, other.stderr).toBe(0);
    const before = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = temp.path('cert.pem');
    const gateway = client(readFileSync(temp.path('other.pem'), 'utf8'));
    try {
      expect(await gateway.notify(NOTIFICATION)).toEqual({ statusCode: 0, statusDetail: [] });
    } finally {
      await gateway.close();
      if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = before;
    }
  });
});
