/**
 * A small HTTP proxy in front of a real registry for fault-injection tests: it counts requests
 * and lets a test answer some of them itself (status, headers, body), corrupt the upstream
 * body, or delay. Everything else is passed through unchanged.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest { readonly method: string; readonly path: string; readonly headers: IncomingMessage['headers'] }

export type Fault =
  | { readonly respond: { status: number; headers?: Record<string, string>; body?: string | Buffer } }
  | { readonly corrupt: true }
  /** Pass through, but drop these (lower-case) response headers. */
  | { readonly stripHeaders: readonly string[] }
  | { readonly delayMs: number };

export interface FaultProxy {
  /** host:port of the proxy. */
  readonly host: string;
  readonly requests: ProxiedRequest[];
  /** The most requests that were in flight at once since the last `reset`. */
  readonly maxInFlight: number;
  /** Decides per request; `undefined` passes it through. Replaced with `setFault`. */
  setFault(fn: ((req: ProxiedRequest, n: number) => Fault | undefined) | undefined): void;
  count(predicate?: (r: ProxiedRequest) => boolean): number;
  reset(): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(upstreamHost: string): Promise<FaultProxy> {
  const requests: ProxiedRequest[] = [];
  let fault: ((req: ProxiedRequest, n: number) => Fault | undefined) | undefined;
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let maxInFlight = 0;

  const server: Server = createServer((req, res) => {
    const r: ProxiedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
    requests.push(r);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => { inFlight--; });
    const f = fault?.(r, requests.length);
    if (f && 'respond' in f) {
      const body = f.respond.body ?? '';
      // `content-length: ''` in the fault means "send chunked, without a length".
      const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(body)), ...f.respond.headers };
      if (headers['content-length'] === '') delete headers['content-length'];
      res.writeHead(f.respond.status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    const forward = () => {
      const up = httpRequest({ host: upstreamHost.split(':')[0], port: Number(upstreamHost.split(':')[1]), method: req.method, path: req.url, headers: { ...req.headers, host: upstreamHost } }, (ur) => {
        if (f && 'corrupt' in f) {
          const chunks: Buffer[] = [];
          ur.on('data', (c: Buffer) => chunks.push(c));
          ur.on('end', () => {
            const body = Buffer.concat(chunks);
            if (body.length > 0) body[body.length - 2] = (body[body.length - 2]! ^ 0x20);
            res.writeHead(ur.statusCode ?? 502, ur.headers);
            res.end(body);
          });
          return;
        }
        const headers = { ...ur.headers };
        if (f && 'stripHeaders' in f) for (const h of f.stripHeaders) delete headers[h];
        res.writeHead(ur.statusCode ?? 502, headers);
        ur.pipe(res);
      });
      up.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
      req.pipe(up);
    };
    if (f && 'delayMs' in f) {
      const t = setTimeout(() => { timers.delete(t); if (!res.destroyed) forward(); }, f.delayMs);
      timers.add(t);
      req.on('close', () => { if (res.writableEnded) return; clearTimeout(t); timers.delete(t); });
      return;
    }
    forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    get maxInFlight() { return maxInFlight; },
    setFault(fn) { fault = fn; },
    count(predicate) { return predicate ? requests.filter(predicate).length : requests.length; },
    reset() { requests.length = 0; fault = undefined; maxInFlight = 0; },
    async stop() {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
