import { describe, expect, it } from 'vitest';
import { checkNotificationBody } from '../../src/sim/gateway/checkNotificationBody.js';
import { GatewayClient } from '../../src/transport/gateway/GatewayClient.js';
import { PFS001_KEYS } from '../../src/protocol/pfs001Body.js';

describe('the PFS001 body', () => {
  const notification = {
    from: { partyId: '53718426', routingId: '53718426' },
    to: { partyId: '0000000000', routingId: '0000000000', routingDescription: 'platform' },
    serviceType: 'S' as const,
    messageType: 'F0401',
    action: 'C0401',
    quantity: 1000,
    migVersion: '4.1',
    filename: 'x_53718426_0000000000_cn_1000',
    size: 1769471,
    zipped: false,
    retry: 2,
    apiVersion: '3.1.3',
    turnkeyVersion: '3.2.1',
  };

  it("is written by the client with every key in the platform client's order, and passes the simulator's check", () => {
    const text = GatewayClient.body({ loginId: 'acct', loginPassword: 'pw' }, notification);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([...PFS001_KEYS]);
    expect(parsed).toMatchObject({
      zip: '0',
      retry: 2,
      transTo: { partyInfo: { partyId: '0000000000' }, routingInfo: { routingId: '0000000000', description: 'platform' } },
    });
    expect(parsed.transFrom).toEqual({ partyInfo: { partyId: '53718426' }, routingInfo: { routingId: '53718426' } });
    expect(checkNotificationBody(parsed)).toEqual(parsed);
  });
});
