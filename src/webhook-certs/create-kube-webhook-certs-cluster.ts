/**
 * WebhookCertsCluster over the API server's REST interface, authenticated by a client-node
 * KubeConfig (in a Pod: the ServiceAccount). Plain JSON requests rather than client-node's typed
 * clients: the writes need exact control of `resourceVersion`, JSON patch bodies and the
 * MicroTime format Leases use, and every response is size-capped. The Secret watch is the
 * shared list-then-watch loop of src/kubernetes (createKubeReader).
 */
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createKubeReader } from '../kubernetes/create-kube-reader.js';
import type { LeaseSpec } from './plan-lease.js';
import type { WebhookKind } from './plan-cert-rotation.js';
import type { StoredLease, StoredSecret, WebhookCertsCluster } from './webhook-certs-cluster.js';
import { WebhookCertsError } from './webhook-certs-error.js';

export interface KubeWebhookCertsClusterOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly namespace: string;
  readonly secretName: string;
  readonly leaseName: string;
  /** Bound on each call (default 10 s). */
  readonly timeoutMs?: number;
}

// Our objects are a few KiB; a webhook configuration with many webhooks tens of KiB.
const MAX_RESPONSE_BYTES = 1024 * 1024;
const WEBHOOK_PATHS: Record<WebhookKind, string> = {
  validating: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
  mutating: '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
};

interface JsonResponse { readonly status: number; readonly body: unknown }

export function createKubeWebhookCertsCluster(options: KubeWebhookCertsClusterOptions): WebhookCertsCluster {
  const { kubeConfig, namespace, secretName, leaseName } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new WebhookCertsError('NO_KUBERNETES', 'the kubeconfig names no API server');
  const ns = encodeURIComponent(namespace);
  const secretsPath = `/api/v1/namespaces/${ns}/secrets`;
  const leasesPath = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
  const reader = createKubeReader({ kubeConfig, logger: options.logger });

  async function call(what: string, method: string, path: string, signal: AbortSignal, body?: unknown, contentType = 'application/json'): Promise<JsonResponse> {
    const opts: RequestOptions = { method, headers: {} };
    await kubeConfig.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    opts.headers = { ...opts.headers, accept: 'application/json', ...(payload !== undefined ? { 'content-type': contentType } : {}) };
    const timeout = AbortSignal.timeout(timeoutMs);
    opts.signal = AbortSignal.any([signal, timeout]);
    try {
      return await new Promise<JsonResponse>((resolve, reject) => {
        const req = request(new URL(path, server), opts, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) req.destroy(new WebhookCertsError('API_ERROR', `${what}: response larger than ${MAX_RESPONSE_BYTES} bytes`));
            else chunks.push(c);
          });
          res.on('end', () => {
            let parsed: unknown;
            try { parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { parsed = undefined; }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        if (payload !== undefined) req.write(payload);
        req.end();
      });
    } catch (err) {
      if (err instanceof WebhookCertsError) throw err;
      if (timeout.aborted) throw new WebhookCertsError('TIMEOUT', `${what}: no answer within ${timeoutMs} ms`, { cause: err });
      throw new WebhookCertsError('API_ERROR', `${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The body on 2xx, undefined on 404 when allowed; a coded error otherwise (the Status message names no secret content). */
  function check(what: string, res: JsonResponse, allow404 = false): Record<string, unknown> | undefined {
    if (res.status >= 200 && res.status < 300) {
      if (typeof res.body !== 'object' || res.body === null) throw new WebhookCertsError('API_ERROR', `${what}: the API server answered ${res.status} without a JSON object`);
      return res.body as Record<string, unknown>;
    }
    if (res.status === 404 && allow404) return undefined;
    const message = typeof (res.body as { message?: unknown } | undefined)?.message === 'string' ? String((res.body as { message: string }).message).slice(0, 300) : '';
    const code = res.status === 409 ? 'CONFLICT' : res.status === 401 || res.status === 403 ? 'FORBIDDEN' : 'API_ERROR';
    throw new WebhookCertsError(code, `${what}: API server answered ${res.status}${message ? `: ${message}` : ''}`, { details: { status: res.status } });
  }

  /** POST when `resourceVersion` is undefined, else PUT of that version; 409 either way is CONFLICT. */
  async function createOrReplace(what: string, collection: string, name: string, object: unknown, resourceVersion: string | undefined, signal: AbortSignal): Promise<void> {
    const doing = `${resourceVersion === undefined ? 'creating' : 'updating'} ${what}`;
    const res = resourceVersion === undefined
      ? await call(doing, 'POST', collection, signal, object)
      : await call(doing, 'PUT', `${collection}/${encodeURIComponent(name)}`, signal, object);
    // Creating one another replica just created is the same race as a stale update.
    if (res.status === 409) throw new WebhookCertsError('CONFLICT', `${doing}: changed by someone else meanwhile`);
    check(doing, res);
  }

  const secretOf = (obj: Record<string, unknown>): StoredSecret => {
    const data: Record<string, Uint8Array> = {};
    const raw = obj.data;
    if (typeof raw === 'object' && raw !== null) {
      for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') data[k] = Buffer.from(v, 'base64');
    }
    return { resourceVersion: resourceVersionOf(obj), data };
  };

  return {
    async readSecret(signal) {
      const what = `reading secret ${namespace}/${secretName}`;
      const obj = check(what, await call(what, 'GET', `${secretsPath}/${encodeURIComponent(secretName)}`, signal), true);
      return obj ? secretOf(obj) : undefined;
    },

    async writeSecret(values, resourceVersion, signal) {
      const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
      const object = {
        apiVersion: 'v1', kind: 'Secret', type: 'Opaque', data,
        metadata: {
          name: secretName, namespace,
          labels: { 'app.kubernetes.io/name': 'portcullis', 'app.kubernetes.io/component': 'webhook-certs' },
          ...(resourceVersion !== undefined ? { resourceVersion } : {}),
        },
      };
      await createOrReplace(`secret ${namespace}/${secretName}`, secretsPath, secretName, object, resourceVersion, signal);
    },

    watchSecret(onState) {
      return reader.watchSecret(namespace, secretName, (s) => onState(s ? { resourceVersion: s.resourceVersion, data: s.data } : undefined));
    },

    async readWebhookConfiguration(kind, name, signal) {
      const what = `reading ${kind} webhook configuration ${name}`;
      const obj = check(what, await call(what, 'GET', `${WEBHOOK_PATHS[kind]}/${encodeURIComponent(name)}`, signal), true);
      if (!obj) return undefined;
      const webhooks = Array.isArray(obj.webhooks) ? obj.webhooks : [];
      if (webhooks.length > 256) throw new WebhookCertsError('INVALID_WEBHOOK_CONFIGURATION', `${what}: more than 256 webhooks`);
      return {
        webhooks: webhooks.map((w: unknown, i) => {
          const hook = (typeof w === 'object' && w !== null ? w : {}) as { name?: unknown; clientConfig?: { caBundle?: unknown } };
          if (typeof hook.name !== 'string') throw new WebhookCertsError('INVALID_WEBHOOK_CONFIGURATION', `${what}: webhooks[${i}] has no name`);
          const caBundle = hook.clientConfig?.caBundle;
          return { name: hook.name, caBundle: typeof caBundle === 'string' ? caBundle : '' };
        }),
      };
    },

    async patchCaBundle(kind, name, read, caBundle, signal) {
      const what = `patching the caBundle of ${kind} webhook configuration ${name}`;
      const ops = read.webhooks.flatMap((w, i) => [
        { op: 'test', path: `/webhooks/${i}/name`, value: w.name },
        { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle },
      ]);
      if (ops.length === 0) return;
      const res = await call(what, 'PATCH', `${WEBHOOK_PATHS[kind]}/${encodeURIComponent(name)}`, signal, ops, 'application/json-patch+json');
      // A failed `test` (the configuration changed since it was read) is 422: re-read and retry.
      if (res.status === 422 || res.status === 409) throw new WebhookCertsError('CONFLICT', `${what}: the configuration changed since it was read`);
      check(what, res);
    },

    async readLease(signal) {
      const what = `reading lease ${namespace}/${leaseName}`;
      const obj = check(what, await call(what, 'GET', `${leasesPath}/${encodeURIComponent(leaseName)}`, signal), true);
      return obj ? leaseOf(obj) : undefined;
    },

    async writeLease(spec, resourceVersion, signal) {
      const object = {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: leaseName, namespace, ...(resourceVersion !== undefined ? { resourceVersion } : {}) },
        spec: leaseSpecJson(spec),
      };
      await createOrReplace(`lease ${namespace}/${leaseName}`, leasesPath, leaseName, object, resourceVersion, signal);
    },
  };
}

function resourceVersionOf(obj: Record<string, unknown>): string {
  const rv = (obj.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  if (typeof rv !== 'string' || rv === '') throw new WebhookCertsError('API_ERROR', 'an object without metadata.resourceVersion');
  return rv;
}

function leaseOf(obj: Record<string, unknown>): StoredLease {
  const s = (typeof obj.spec === 'object' && obj.spec !== null ? obj.spec : {}) as Record<string, unknown>;
  const time = (v: unknown): Date | undefined => (typeof v === 'string' ? new Date(v) : undefined);
  const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);
  return {
    resourceVersion: resourceVersionOf(obj),
    spec: {
      holderIdentity: typeof s.holderIdentity === 'string' ? s.holderIdentity : undefined,
      leaseDurationSeconds: int(s.leaseDurationSeconds),
      acquireTime: time(s.acquireTime),
      renewTime: time(s.renewTime),
      leaseTransitions: int(s.leaseTransitions),
    },
  };
}

/** MicroTime is RFC 3339 with exactly six fractional digits (metav1.RFC3339Micro). */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function leaseSpecJson(spec: LeaseSpec): Record<string, unknown> {
  return {
    holderIdentity: spec.holderIdentity ?? '',
    ...(spec.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: spec.leaseDurationSeconds } : {}),
    ...(spec.acquireTime ? { acquireTime: microTime(spec.acquireTime) } : {}),
    ...(spec.renewTime ? { renewTime: microTime(spec.renewTime) } : {}),
    ...(spec.leaseTransitions !== undefined ? { leaseTransitions: spec.leaseTransitions } : {}),
  };
}
