/**
 * A stand-in admission webhook for harness tests: HTTPS with a required client certificate
 * (mTLS, like Portcullis with `tls.clientCAFile`), records every AdmissionReview and the
 * client certificate's subject, and allows everything unchanged.
 */
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { freePort } from './registry-server.js';

export interface RecordedReview {
  readonly path: string;
  /** CN of the client certificate the caller presented. */
  readonly clientCommonName: string | undefined;
  readonly review: { request?: { uid: string; kind: { kind: string }; namespace?: string; dryRun?: boolean; operation: string } };
}

export interface WebhookRecorder {
  readonly baseUrl: string;
  readonly reviews: RecordedReview[];
  /** TLS handshakes refused (e.g. a client without a certificate). */
  readonly refusedHandshakes: () => number;
  stop(): Promise<void>;
}

export interface WebhookRecorderOptions {
  readonly certPem: string;
  readonly keyPem: string;
  readonly clientCaPem: string;
  /** Extra fields of the AdmissionReview response (e.g. a JSONPatch); default: allowed, unchanged. */
  readonly respond?: (review: RecordedReview['review'] & { request?: { object?: unknown } }, path: string) => Record<string, unknown>;
}

export async function startWebhookRecorder(options: WebhookRecorderOptions): Promise<WebhookRecorder> {
  const reviews: RecordedReview[] = [];
  let refused = 0;
  const server: Server = createServer({
    cert: options.certPem, key: options.keyPem, ca: options.clientCaPem,
    requestCert: true, rejectUnauthorized: true,
  }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedReview['review'];
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      reviews.push({ path, clientCommonName: Array.isArray(cn) ? cn.join(',') : cn, review });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
        response: { uid: review.request?.uid ?? '', allowed: true, ...options.respond?.(review, path) },
      }));
    });
  });
  server.on('tlsClientError', () => { refused += 1; });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    baseUrl: `https://127.0.0.1:${port}`,
    reviews,
    refusedHandshakes: () => refused,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
