/**
 * Leader election on a coordination.k8s.io/v1 Lease, the way client-go's leaderelection
 * package uses it: the holder renews `renewTime`; a Lease whose holder is empty, or whose
 * `renewTime + leaseDurationSeconds` has passed, may be taken (and `leaseTransitions` counts
 * it). Pure: the caller writes the returned spec with the resourceVersion it read, so of two
 * candidates only one write succeeds (the other gets 409 and follows).
 */

/** The fields of a Lease's spec we read and write. */
export interface LeaseSpec {
  readonly holderIdentity?: string | undefined;
  readonly leaseDurationSeconds?: number | undefined;
  readonly acquireTime?: Date | undefined;
  readonly renewTime?: Date | undefined;
  readonly leaseTransitions?: number | undefined;
}

export type LeaseDecision =
  | { readonly kind: 'create' | 'renew' | 'take-over'; readonly spec: LeaseSpec }
  | { readonly kind: 'follow'; readonly holder: string; readonly until: Date };

export function planLease(lease: LeaseSpec | undefined, identity: string, now: Date, leaseDurationMs: number): LeaseDecision {
  const durationSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
  const mine = (acquireTime: Date, transitions: number): LeaseSpec => ({
    holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime, renewTime: now, leaseTransitions: transitions,
  });
  if (!lease) return { kind: 'create', spec: mine(now, 0) };
  const transitions = Number.isSafeInteger(lease.leaseTransitions) && (lease.leaseTransitions ?? 0) >= 0 ? (lease.leaseTransitions ?? 0) : 0;
  if (lease.holderIdentity === identity) return { kind: 'renew', spec: mine(lease.acquireTime ?? now, transitions) };
  const holder = lease.holderIdentity ?? '';
  // The holder's own duration counts (it may run another config); garbage counts as ours.
  const seconds = Number.isSafeInteger(lease.leaseDurationSeconds) && (lease.leaseDurationSeconds ?? 0) > 0 ? (lease.leaseDurationSeconds ?? durationSeconds) : durationSeconds;
  const renewed = lease.renewTime && !Number.isNaN(lease.renewTime.getTime()) ? lease.renewTime.getTime() : 0;
  const until = new Date(renewed + seconds * 1000);
  if (holder !== '' && until.getTime() > now.getTime()) return { kind: 'follow', holder, until };
  return { kind: 'take-over', spec: mine(now, transitions + 1) };
}

/** The spec a leader writes when it steps down (client-go's ReleaseOnCancel): free at once. */
export function releasedLease(lease: LeaseSpec, now: Date): LeaseSpec {
  return { ...lease, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now };
}
