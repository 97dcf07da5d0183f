/**
 * A small HTTPS client for server tests: one request, the status, the body, and the
 * certificate the server presented.
 */
import { request, type Agent } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface HttpsRequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  agent?: Agent;
  timeoutMs?: number;
}

export interface HttpsResponse {
  status: number;
  body: string;
  /** The serving certificate of the connection (its serial identifies a rotation). */
  peer: PeerCertificate | undefined;
  reusedSocket: boolean;
  json<T = unknown>(): T;
}

export function httpsRequest(url: string, options: HttpsRequestOptions = {}): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: options.method ?? 'GET',
      headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      ca: options.ca, cert: options.cert, key: options.key,
      agent: options.agent ?? false,
      timeout: options.timeoutMs ?? 10_000,
    }, (res) => {
      // Read now: once the body ends a kept-alive socket goes back to the agent's pool.
      const socket = res.socket as TLSSocket | null;
      const peer = socket?.getPeerCertificate?.() ?? undefined;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          body,
          peer,
          reusedSocket: req.reusedSocket,
          json: <T>() => JSON.parse(body) as T,
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}
