import { describe, expect, it } from '@jest/globals';
import { planLease, releasedLease } from '../../../src/webhook-certs/plan-lease.js';

const T0 = new Date('2026-12-03T12:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

describe('planLease', () => {
  it('creates a missing Lease, holding it', () => {
    expect(planLease(undefined, 'a', T0, 15_000)).toEqual({ kind: 'create', spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: T0, renewTime: T0, leaseTransitions: 0 } });
  });

  it('renews its own Lease, keeping the acquire time', () => {
    const held = { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: T0, renewTime: T0, leaseTransitions: 2 };
    expect(planLease(held, 'a', at(5), 15_000)).toEqual({ kind: 'renew', spec: { ...held, renewTime: at(5) } });
  });

  it('follows another holder until its renewTime + leaseDurationSeconds, then takes over and counts the transition', () => {
    const held = { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: T0, renewTime: at(10), leaseTransitions: 2 };
    expect(planLease(held, 'b', at(24), 15_000)).toEqual({ kind: 'follow', holder: 'a', until: at(25) });
    expect(planLease(held, 'b', at(26), 15_000)).toEqual({ kind: 'take-over', spec: { holderIdentity: 'b', leaseDurationSeconds: 15, acquireTime: at(26), renewTime: at(26), leaseTransitions: 3 } });
  });

  it('honours the holder\'s own duration over ours', () => {
    const held = { holderIdentity: 'a', leaseDurationSeconds: 60, renewTime: T0 };
    expect(planLease(held, 'b', at(30), 15_000)).toMatchObject({ kind: 'follow' });
  });

  it('takes a released Lease at once', () => {
    const held = { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: T0, renewTime: at(10), leaseTransitions: 0 };
    expect(planLease(releasedLease(held, at(11)), 'b', at(11), 15_000)).toMatchObject({ kind: 'take-over', spec: { holderIdentity: 'b', leaseTransitions: 1 } });
  });

  it('treats garbage fields (no renewTime, invalid dates, negative counts) as an expired Lease', () => {
    expect(planLease({ holderIdentity: 'a' }, 'b', T0, 15_000)).toMatchObject({ kind: 'take-over' });
    expect(planLease({ holderIdentity: 'a', renewTime: new Date('nope'), leaseDurationSeconds: -5, leaseTransitions: -1 }, 'b', T0, 15_000)).toMatchObject({ kind: 'take-over', spec: { leaseTransitions: 1 } });
  });
});
