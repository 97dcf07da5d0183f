/**
 * One audit pass: list the covered objects, validate each image with the live validator
 * (the same pipeline, config and policy as admission, and its shared cache), and give one
 * result per image per object. An image is validated once per scan for each
 * (namespace, service account, pull secrets) it runs under — the inputs its decision depends
 * on — and validations are paced to `imagesPerSecond`.
 */
import type { Logger } from 'pino';
import type { AdmissionContext, ImageValidator, NamespaceModeSource, ValidationMode } from '../admission/ports.js';
import { createExclusions } from '../admission/exclusions.js';
import { resolveMode, type ModeConfig } from '../admission/resolve-mode.js';
import { abortableSleep } from '../kubernetes/abortable-sleep.js';
import { errorMessage } from '../shared/error-message.js';
import type { AuditCluster, AuditedObject, AuditOutcome, AuditResult, AuditScan } from './audit-types.js';
import { listAuditedObjects } from './list-audited-objects.js';

export interface AuditScanConfig {
  readonly validation: ModeConfig & { readonly excludeNamespaces: readonly string[]; readonly excludeImages: readonly string[] };
  readonly audit: { readonly imagesPerSecond: number; readonly timeoutSeconds: number; readonly maxObjects: number };
}

export interface AuditScanDeps {
  readonly cluster: AuditCluster;
  readonly validator: ImageValidator;
  readonly namespaceModes?: NamespaceModeSource | undefined;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => Date;
}

/** Who the policy sees asking (`request.userInfo`): the audit, not a person. */
export const AUDIT_USER = { username: 'system:serviceaccount:portcullis-system:portcullis', groups: ['system:serviceaccounts', 'portcullis:audit'] };

/** The line a denial of this image gives in `status.message` (src/admission/review-validation.ts). */
export function denialLine(image: string, reasons: readonly string[]): string {
  return `image "${image}" denied: ${reasons.length > 0 ? reasons.join('; ') : 'no reason given'}`;
}

function outcomeFor(allowed: boolean, mode: ValidationMode): AuditOutcome {
  if (allowed) return 'pass';
  return mode === 'warn' ? 'warn' : 'fail';
}

export async function runAuditScan(config: AuditScanConfig, deps: AuditScanDeps): Promise<AuditScan> {
  const now = deps.now ?? (() => new Date());
  const at = now();
  const { objects, problems } = await listAuditedObjects(deps.cluster, { maxObjects: config.audit.maxObjects, signal: deps.signal });
  const exclusions = createExclusions(config.validation);
  const modes = new Map<string, ValidationMode>();
  const verdicts = new Map<string, Promise<{ allowed: boolean; reasons: readonly string[]; summary: string } | { error: string }>>();
  const gapMs = 1000 / config.audit.imagesPerSecond;
  let nextAt = 0;

  const modeOf = async (ns: string): Promise<ValidationMode> => {
    let m = modes.get(ns);
    if (!m) { m = (await resolveMode(ns, config.validation, deps.namespaceModes, deps.signal, deps.logger)).mode; modes.set(ns, m); }
    return m;
  };
  const verdictOf = (o: AuditedObject, image: string) => {
    const key = JSON.stringify([o.namespace, o.serviceAccountName ?? '', o.imagePullSecrets, image]);
    let v = verdicts.get(key);
    if (!v) {
      v = (async () => {
        const wait = nextAt - Date.now();
        nextAt = Math.max(nextAt, Date.now()) + gapMs;
        if (wait > 0) await abortableSleep(wait, deps.signal);
        const signal = AbortSignal.any([deps.signal, AbortSignal.timeout(config.audit.timeoutSeconds * 1000)]);
        const ctx: AdmissionContext = {
          signal, deadline: Date.now() + config.audit.timeoutSeconds * 1000,
          request: {
            uid: `audit-${o.uid || o.name}`, operation: 'CREATE', namespace: o.namespace, name: o.name, dryRun: true,
            kind: { group: o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '', version: o.apiVersion.split('/').pop()!, kind: o.kind },
            userInfo: AUDIT_USER,
          },
          pod: { serviceAccountName: o.serviceAccountName, imagePullSecrets: o.imagePullSecrets },
        };
        try {
          const [verdict] = await deps.validator.validate([image], ctx);
          if (!verdict) return { error: 'no verdict was produced for this image' };
          return { allowed: verdict.allowed, reasons: verdict.reasons, summary: verdict.summary };
        } catch (err) {
          return { error: errorMessage(err) };
        }
      })();
      verdicts.set(key, v);
    }
    return v;
  };

  const results: AuditResult[] = [];
  // Sequential: the pacing is the bound on registry and verifier load.
  for (const o of objects) {
    if (deps.signal.aborted) break;
    if (exclusions.namespace(o.namespace)) continue;
    const mode = await modeOf(o.namespace);
    for (const image of o.images) {
      if (exclusions.image(image)) {
        results.push({ object: o, image, outcome: 'skip', message: `image "${image}" excluded by validation.excludeImages`, mode, summary: 'excluded' });
        continue;
      }
      const v = await verdictOf(o, image);
      if ('error' in v) {
        results.push({ object: o, image, outcome: 'error', message: `image "${image}" could not be validated: ${v.error}`, mode, summary: 'error' });
      } else {
        results.push({ object: o, image, outcome: outcomeFor(v.allowed, mode), message: v.allowed ? `image "${image}" ${v.summary}` : denialLine(image, v.reasons), mode, summary: v.summary });
      }
    }
  }
  return { at, results, problems };
}
