/**
 * The one next step of the self-managed certificate life cycle (docs/self-managed-certs.md
 * "Rotation"), from what the leader just read: the Secret's state, whether each named webhook
 * configuration holds the Secret's bundle, and the time. Pure: the leader loop calls it, does
 * the step (applyCertStep for Secret writes, a patch for `publish`), and calls it again.
 *
 * The invariant every step keeps: the CA that signed any serving certificate a replica may be
 * serving is in the caBundle the API server uses. Hence a new CA is published before it signs
 * what is served (new-ca → publish → wait `overlap` → switch), and the old CA stays published
 * `overlap` after the switch, while replicas pick the new pair up (switch → wait → drop-old).
 */
import type { CertState } from './cert-state.js';
import { canonicalName } from './canonical-name.js';

export type CertStep =
  /** No state: a CA and a serving certificate. */
  | { readonly kind: 'bootstrap' }
  /** The CA has expired and no valid successor waits: a new one takes over at once. */
  | { readonly kind: 'replace-expired-ca' }
  /** The bundle holds expired CAs: drop them. */
  | { readonly kind: 'prune-expired' }
  /** These webhook configurations do not hold the Secret's bundle: patch them. */
  | { readonly kind: 'publish'; readonly configurations: readonly WebhookKind[] }
  /** Every named webhook configuration holds the bundle: record when. */
  | { readonly kind: 'mark-published' }
  /** The CA is due for renewal: make the next CA and add it to the bundle. */
  | { readonly kind: 'new-ca' }
  /** The next CA has been published `overlap` (or the current one expired): it signs a new serving certificate. */
  | { readonly kind: 'switch' }
  /** `overlap` since the switch: only the current CA stays in the bundle. */
  | { readonly kind: 'drop-old' }
  /** The serving certificate is due (time, SANs): the current CA re-issues it. */
  | { readonly kind: 'renew-serving'; readonly reason: 'expiring' | 'names' }
  /** Nothing to do now; `until` is when the next step is due at the latest (the loop checks sooner). */
  | { readonly kind: 'idle'; readonly until: Date };

export type WebhookKind = 'validating' | 'mutating';

export interface PlanInput {
  readonly state: CertState | undefined;
  /**
   * Per configured webhook configuration: whether all its webhooks' caBundle is the state's
   * bundle; `absent` when it does not exist (nothing to patch; it is checked again next time).
   */
  readonly published: Readonly<Partial<Record<WebhookKind, 'in-sync' | 'stale' | 'absent'>>>;
  readonly now: Date;
  readonly renewBeforeMs: number;
  readonly overlapMs: number;
  /** SANs the serving certificate must carry. */
  readonly names: readonly string[];
}

export function planCertRotation(input: PlanInput): CertStep {
  const { state, now, renewBeforeMs, overlapMs } = input;
  if (!state) return { kind: 'bootstrap' };
  const t = now.getTime();
  const left = (d: Date) => d.getTime() - t;

  if (left(state.ca.notAfter) <= 0) {
    return state.next && left(state.next.notAfter) > 0 ? { kind: 'switch' } : { kind: 'replace-expired-ca' };
  }
  if (left(state.serving.notAfter) <= 0 && !state.next) return { kind: 'renew-serving', reason: 'expiring' };
  if (state.bundle.some((c) => left(c.notAfter) <= 0)) return { kind: 'prune-expired' };

  const stale = (['validating', 'mutating'] as const).filter((k) => input.published[k] === 'stale');
  if (stale.length > 0) return { kind: 'publish', configurations: stale };
  if (!state.publishedAt) return { kind: 'mark-published' };
  const publishedFor = t - state.publishedAt.getTime();

  if (state.next) {
    return publishedFor >= overlapMs ? { kind: 'switch' } : { kind: 'idle', until: new Date(state.publishedAt.getTime() + overlapMs) };
  }
  if (state.bundle.some((c) => c.fingerprint !== state.ca.fingerprint)) {
    // A previous CA is still trusted. Without a recorded switch time (a bundle an older run
    // left), count from the publication.
    const since = state.switchedAt ?? state.publishedAt;
    return t - since.getTime() >= overlapMs ? { kind: 'drop-old' } : { kind: 'idle', until: new Date(since.getTime() + overlapMs) };
  }
  if (left(state.ca.notAfter) < renewBeforeMs) return { kind: 'new-ca' };
  if (left(state.serving.notAfter) < renewBeforeMs) return { kind: 'renew-serving', reason: 'expiring' };
  const wanted = [...new Set(input.names.map(canonicalName))].sort();
  if (wanted.join(',') !== state.serving.names.join(',')) return { kind: 'renew-serving', reason: 'names' };
  return { kind: 'idle', until: new Date(Math.min(state.ca.notAfter.getTime(), state.serving.notAfter.getTime()) - renewBeforeMs) };
}
