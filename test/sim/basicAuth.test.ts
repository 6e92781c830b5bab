import { describe, expect, it } from 'vitest';
import { parseBasicAuth } from '../../src/sim/gateway/basicAuth.js';

describe('Basic credentials', () => {
  it('reads Basic credentials, passwords with colons included', () => {
    expect(parseBasicAuth(`Basic ${Buffer.from('id:pa:ss').toString('base64')}`)).toEqual({ user: 'id', password: 'pa:ss' });
    expect(parseBasicAuth('Bearer abc')).toBeNull();
    expect(parseBasicAuth(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeNull();
    expect(parseBasicAuth(undefined)).toBeNull();
  });
});
