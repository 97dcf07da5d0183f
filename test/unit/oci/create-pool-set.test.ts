import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPoolSet } from '../../../src/oci/create-pool-set.js';
import { waitFor } from '../../helpers/wait-for.js';

describe('createPoolSet', () => {
  const servers: Server[] = [];
  const origins: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 3; i++) {
      const s = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
      origins.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    }
  });
  afterAll(async () => {
    for (const s of servers) { s.closeAllConnections(); await new Promise((r) => s.close(r)); }
  });

  it('keeps at most maxOrigins pools, closing the least recently used', async () => {
    const pools = createPoolSet({ maxOrigins: 2, connectionsPerOrigin: 2, timeoutMs: 5000 });
    for (const origin of [origins[0]!, origins[1]!, origins[0]!, origins[2]!]) {
      const res = await pools.request({ origin, path: '/', method: 'GET' });
      await res.body.text();
    }
    expect(pools.stats()).toMatchObject({ origins: 2, evicted: 1 });
    // origins[1] was the least recently used; asking it again evicts another.
    await (await pools.request({ origin: origins[1]!, path: '/', method: 'GET' })).body.text();
    expect(pools.stats()).toMatchObject({ origins: 2, evicted: 2 });
    await pools.close();
  });

  it('closes and forgets a pool once its sockets went idle-closed', async () => {
    const pools = createPoolSet({ maxOrigins: 8, connectionsPerOrigin: 2, timeoutMs: 5000, keepAliveTimeoutMs: 50 });
    await (await pools.request({ origin: origins[0]!, path: '/', method: 'GET' })).body.text();
    expect(pools.stats().origins).toBe(1);
    await waitFor('the idle pool to be closed', () => (pools.stats().origins === 0 ? true : undefined), 10_000, 20);
    expect(pools.stats()).toMatchObject({ origins: 0, connected: 0 });
    await pools.close();
  });
});
