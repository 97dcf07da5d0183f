import { describe, expect, it } from '@jest/globals';
import { silentLogger } from '../../../src/observability/logger.js';
import { PortsHolder } from '../../../src/server/ports-holder.js';
import type { Ports } from '../../../src/server/runtime-ports.js';
import { FakeImagePinner } from '../../helpers/fake-image-pinner.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';

function ports(name: string, closed: string[]): Ports {
  return {
    pinner: new FakeImagePinner(), validator: new FakeImageValidator(), ready: () => true,
    close: async () => {
      closed.push(name);
    },
  };
}
const tick = () => new Promise((r) => setTimeout(r, 10));

describe('PortsHolder', () => {
  it('gives new requests the new ports at once and closes the old ones after their last request', async () => {
    const closed: string[] = [];
    const a = ports('a', closed);
    const b = ports('b', closed);
    const holder = new PortsHolder(a, silentLogger());
    const lease = holder.acquire();
    holder.swap(b);
    expect(holder.current()).toBe(b);
    expect(lease.ports).toBe(a);
    await tick();
    expect(closed).toEqual([]);
    lease.release();
    lease.release(); // idempotent
    await tick();
    expect(closed).toEqual(['a']);
    await holder.close();
    expect(closed).toEqual(['a', 'b']);
  });

  it('close() waits for the current set\'s last lease, then closes it', async () => {
    const closed: string[] = [];
    const holder = new PortsHolder(ports('a', closed), silentLogger());
    const lease = holder.acquire();
    let done = false;
    const closing = holder.close().then(() => { done = true; });
    await tick();
    expect(done).toBe(false);
    expect(closed).toEqual([]);
    lease.release();
    await closing;
    expect(closed).toEqual(['a']);
  });

  it('closes the old ports anyway when a request never ends', async () => {
    const closed: string[] = [];
    const holder = new PortsHolder(ports('a', closed), silentLogger(), { drainMs: 30 });
    holder.acquire();
    holder.swap(ports('b', closed));
    await new Promise((r) => setTimeout(r, 80));
    expect(closed).toEqual(['a']);
    holder.acquire();
    await holder.close(10);
    expect(closed).toEqual(['a', 'b']);
  });
});
