/**
 * A raw HTTPS client for the test API server, for what the typed client hides: the
 * `Warning` headers admission webhooks send, the exact Status message of a denial, dry runs.
 * Authenticates with whatever the KubeConfig holds (client-node applies it).
 */
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  /** Decoded `Warning` headers (RFC 7234 `299 - "text"`): the texts only. */
  readonly warnings: string[];
}

export interface KubeClient {
  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, options?: { contentType?: string; timeoutMs?: number }): Promise<KubeResponse<T>>;
  /** POST to a collection; `dryRun` adds `?dryRun=All`. */
  create<T = Record<string, unknown>>(collectionPath: string, object: unknown, options?: { dryRun?: boolean }): Promise<KubeResponse<T>>;
  get<T = Record<string, unknown>>(path: string): Promise<KubeResponse<T>>;
}

function parseWarning(header: string): string {
  // `299 - "message"`: the text is a quoted-string with backslash escapes.
  const m = /^\d{3} \S+ "((?:[^"\\]|\\.)*)"/.exec(header);
  return m ? (m[1] ?? '').replace(/\\(.)/g, '$1') : header;
}

export function createKubeClient(kc: KubeConfig): KubeClient {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('kubeconfig has no current cluster');

  async function send<T>(method: string, path: string, body?: unknown, options: { contentType?: string; timeoutMs?: number } = {}): Promise<KubeResponse<T>> {
    const opts: RequestOptions = { method, headers: {} };
    await kc.applyToHTTPSOptions(opts);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    opts.headers = { ...opts.headers, accept: 'application/json', ...(payload !== undefined ? { 'content-type': options.contentType ?? 'application/json' } : {}) };
    opts.timeout = options.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, server), opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try { parsed = JSON.parse(text); } catch { /* keep text */ }
          const raw = res.headers.warning;
          const warnings = (Array.isArray(raw) ? raw : raw ? [raw] : []).map(parseWarning);
          resolve({ status: res.statusCode ?? 0, body: parsed as T, warnings });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  return {
    request: send,
    create: (collectionPath, object, options = {}) => send('POST', `${collectionPath}${options.dryRun ? '?dryRun=All' : ''}`, object),
    get: (path) => send('GET', path),
  };
}
