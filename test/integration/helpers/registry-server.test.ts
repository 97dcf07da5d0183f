import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRegistry, type RunningRegistry } from '../../helpers/registry-server.js';

describe.each(['distribution', 'olareg'] as const)('startRegistry(%s)', (kind) => {
  let reg: RunningRegistry;
  beforeAll(async () => { reg = await startRegistry(kind); });
  afterAll(async () => { await reg?.stop(); });

  it('answers the distribution API base endpoint', async () => {
    const res = await fetch(`${reg.url}/v2/`);
    expect(res.status).toBe(200);
  });
});
