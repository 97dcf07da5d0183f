/**
 * A small JWT issuer implementing distribution's token endpoint for tests: the real registry is
 * configured (`auth.token.rootcertbundle`) to trust its self-signed certificate, and checks the
 * tokens it signs (ES256, certificate in the `x5c` header) — the same validation a real
 * deployment's tokens go through.
 * https://distribution.github.io/distribution/spec/auth/token/
 * https://distribution.github.io/distribution/spec/auth/jwt/
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenIssuer {
  readonly realm: string;
  /** host:port of the issuer (list it in `insecure`: its realm is plain HTTP). */
  readonly host: string;
  readonly service: string;
  readonly issuer: string;
  /** PEM file for the registry's `rootcertbundle`. */
  readonly rootCertBundlePath: string;
  /** Token requests received (with their scopes and whether they authenticated). */
  readonly requests: { scopes: string[]; user: string | undefined }[];
  stop(): Promise<void>;
}

export interface TokenIssuerOptions {
  /** username → password; with users, unauthenticated callers get pull-only (or nothing, see `anonymousPull`). */
  readonly users?: Readonly<Record<string, string>>;
  /** refresh token → username, for the OAuth2 `grant_type=refresh_token` POST (docker `identitytoken`). */
  readonly refreshTokens?: Readonly<Record<string, string>>;
  readonly anonymousPull?: boolean;
  readonly expiresIn?: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export async function startTokenIssuer(options: TokenIssuerOptions = {}): Promise<TokenIssuer> {
  const dir = mkdtempSync(join(tmpdir(), 'token-issuer-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=portcullis-test-token-issuer'], { stdio: 'ignore' });
  const key: KeyObject = createPrivateKey(readFileSync(keyPath));
  const certDer = Buffer.from(readFileSync(certPath, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const service = 'portcullis-test-registry';
  const issuer = 'portcullis-test-issuer';
  const requests: TokenIssuer['requests'] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/token') { res.writeHead(404).end(); return; }
    if (req.method === 'POST') {
      // https://distribution.github.io/distribution/spec/auth/oauth/
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const user = form.get('grant_type') === 'refresh_token' ? options.refreshTokens?.[form.get('refresh_token') ?? ''] : undefined;
        if (!user) { res.writeHead(401).end('{"error":"invalid_grant"}'); return; }
        issue(res, (form.get('scope') ?? '').split(' ').filter(Boolean), user);
      });
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, ...rest] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (!u || options.users?.[u] !== rest.join(':')) { res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}'); return; }
      user = u;
    } else if (options.users && !options.anonymousPull) {
      res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED","message":"credentials required"}]}');
      return;
    }
    issue(res, scopes, user);
  });

  function issue(res: ServerResponse, scopes: string[], user: string | undefined): void {
    requests.push({ scopes, user });
    const access = scopes.flatMap((s) => {
      const m = /^(repository):(.+):([a-z,*]+)$/.exec(s);
      if (!m) return [];
      const actions = user ? m[3]!.split(',') : m[3]!.split(',').filter((a) => a === 'pull');
      return [{ type: m[1], name: m[2], actions }];
    });
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 300;
    const header = { alg: 'ES256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = { iss: issuer, sub: user ?? '', aud: service, exp: now + expiresIn, nbf: now - 10, iat: now, jti: randomUUID(), access };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
    const token = `${signingInput}.${b64url(signature)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() }));
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  return {
    realm: `http://${host}/token`, host, service, issuer, rootCertBundlePath: certPath, requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
