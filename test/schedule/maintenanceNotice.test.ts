import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMaintenanceNotice } from '../../src/schedule/maintenanceNotice.js';
import { GatewayClient } from '../../src/transport/gateway/GatewayClient.js';
import { TransportError } from '../../src/transport/TransportError.js';
import { ACCOUNT, startFixture, type SimFixture } from '../sim/helpers/simFixture.js';

describe('readMaintenanceNotice', () => {
  let fx: SimFixture;
  beforeAll(async () => {
    fx = await startFixture();
  });
  afterAll(async () => {
    await fx?.close();
  });

  it("reads the end of the window from the simulator's 503, as the gateway client receives it", async () => {
    const end = new Date(Math.ceil((Date.now() + 3600_000) / 1000) * 1000);
    fx.sim.addMaintenanceWindow({ start: new Date(Date.now() - 1000), end, description: '系統維護 (maintenance)' });
    const client = new GatewayClient({
      baseUrl: fx.sim.gateway.url,
      loginId: ACCOUNT.transportId,
      loginPassword: ACCOUNT.password,
      connectTimeoutMs: 5000,
      totalTimeoutMs: 5000,
    });
    try {
      const error = await client
        .notify({
          from: { partyId: ACCOUNT.partyId, routingId: ACCOUNT.routingId },
          to: { partyId: '0000000000', routingId: '0000000000' },
          serviceType: 'S',
          messageType: 'F0401',
          action: 'C0401',
          quantity: 1,
          migVersion: '4.1',
          filename: 'x',
          size: 1,
          zipped: false,
          retry: 0,
          apiVersion: '3.1.3',
          turnkeyVersion: '3.2.1',
        })
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('gateway-maintenance');
      expect(readMaintenanceNotice((error as TransportError).body, new Date())).toEqual({
        endsAt: end.getTime(),
        reason: '系統維護 (maintenance)',
      });
    } finally {
      fx.sim.clearMaintenanceWindows();
      await client.close();
    }
  });

  it("reads the window of the platform's bilingual maintenance page", () => {
    const page =
      '<html><body><h1>系統維護公告 System Maintenance</h1><p>本平台於115年12月18日(五)18時至19日(六)12時暫停服務，進行年度系統升級。</p>' +
      '<p>The platform is under maintenance.</p></body></html>';
    expect(readMaintenanceNotice(page, new Date('2026-12-18T12:00:00Z'))).toMatchObject({ endsAt: Date.parse('2026-12-19T04:00:00Z') });
  });

  it('takes a page that says maintenance without a readable end as a window without one, and a bare 503 as none', () => {
    expect(readMaintenanceNotice('<h1>系統維護中 Under maintenance</h1>', new Date())).toEqual({
      endsAt: null,
      reason: 'the platform says it is in maintenance',
    });
    expect(readMaintenanceNotice('Service Unavailable', new Date())).toBeNull();
    expect(readMaintenanceNotice(null, new Date())).toBeNull();
    expect(readMaintenanceNotice('{"statusCode":503,"statusDetail":[{"code":"E0001"}]}', new Date())).toBeNull();
  });
});
