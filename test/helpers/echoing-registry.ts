/**
 * A hostile registry for the log canary (issue 14 item 6), on 127.0.0.1 over plain HTTP: it
 * asks for a bearer token, hands out a planted token, and then answers every manifest request
 * with an error whose body echoes what the client sent — the Authorization header, the token —
 * plus a planted string of its own, in `message` and `detail`, the way misbehaving registries
 * and proxies do. Paths pick the failure:
 *   /v2/echo/…        HEAD of a manifest succeeds (a digest), every GET (manifest, referrers)
 *                     is a 403 with a distribution-spec error body echoing the request
 *   /v2/plain/…       500 with a text body echoing the request
 *   /v2/badtoken/…    the token endpoint answers non-JSON text that contains the token
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoingRegistry {
  /** host:port (list it in `registries.insecure`). */
  readonly host: string;
  /** Requests seen, `METHOD path`, to prove the scenarios ran. */
  readonly requests: string[];
  stop(): Promise<void>;
}

/** The digest HEAD requests announce (the manifest itself is never served). */
export const ECHO_DIGEST = `sha256:${'e0'.repeat(32)}`;

export async function startEchoingRegistry(planted: { token: string; body: string }): Promise<EchoingRegistry> {
  const requests: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    const echo = `${planted.body} authorization=${req.headers.authorization ?? ''}`;
    if (url.pathname === '/token') {
      const scope = url.searchParams.get('scope') ?? '';
      if (scope.includes('repository:badtoken/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(`token=${planted.token}; ${echo}`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: planted.token, expires_in: 300 }));
      return;
    }
    if (req.headers.authorization !== `Bearer ${planted.token}`) {
      const realm = `http://${req.headers.host}/token`;
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${realm}",service="echoing",error="${planted.body}"`,
        'content-type': 'application/json',
      }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: echo, detail: echo }] }));
      return;
    }
    if (url.pathname.startsWith('/v2/plain/')) {
      res.writeHead(500, { 'content-type': 'text/plain', 'x-echo': echo }).end(echo);
      return;
    }
    if (req.method === 'HEAD' && url.pathname.includes('/manifests/')) {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': ECHO_DIGEST, 'content-length': '2', 'x-echo': echo }).end();
      return;
    }
    res.writeHead(403, { 'content-type': 'application/json', 'x-echo': echo })
      .end(JSON.stringify({ errors: [{ code: 'DENIED', message: echo, detail: { echo } }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
