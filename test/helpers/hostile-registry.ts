/**
 * A hostile OCI registry on loopback (plain HTTP: list its hosts in `registries.insecure`), for
 * the resource-bound tests of issue 14 and bench/hostile-pod.ts. Every repository `hostile/<x>`
 * has one image at tag `1` whose referrers API lists `referrers` Notation "signatures", each a
 * manifest naming the image as subject with one layer of `layerBytes` — served whole, endlessly
 * (no length, never ends) or slowloris (a byte at a time). It counts what a test asserts on:
 * requests by kind, bytes sent, sockets open now and at most.
 * It listens on `listeners` ports, so one Pod can name several registry origins.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
const NOTARY = 'application/vnd.cncf.notary.signature';
const EMPTY_CONFIG = { mediaType: OCI_EMPTY, digest: `sha256:${createHash('sha256').update('{}').digest('hex')}`, size: 2 };

export type LayerMode = 'whole' | 'endless' | 'slowloris';

export interface HostileRegistryOptions {
  /** Referrers listed per image. Default 64. */
  readonly referrers?: number;
  /** Size of each referrer's layer. Default 16 MiB. */
  readonly layerBytes?: number;
  readonly layerMode?: LayerMode;
  /** Ports to listen on (distinct registry origins). Default 1. */
  readonly listeners?: number;
}

export interface HostileRegistryStats {
  readonly requests: Readonly<Record<string, number>>;
  readonly bytesSent: number;
  readonly openSockets: number;
  readonly peakSockets: number;
  /** Layer responses still being sent (endless or slowloris bodies the client has not dropped). */
  readonly streaming: number;
}

export interface HostileRegistry {
  /** host:port of each listener. */
  readonly hosts: readonly string[];
  /**
   * The `i`-th image, spread over the listeners, pinned by digest (`validation.requireDigest`
   * denies a tag before any registry request).
   */
  image(i: number): string;
  stats(): HostileRegistryStats;
  /** Zeroes the counters (open sockets stay as they are). */
  reset(): void;
  stop(): Promise<void>;
}

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function startHostileRegistry(options: HostileRegistryOptions = {}): Promise<HostileRegistry> {
  const referrerCount = options.referrers ?? 64;
  const layerBytes = options.layerBytes ?? 16 * 1024 * 1024;
  const mode = options.layerMode ?? 'whole';
  const layer = Buffer.alloc(layerBytes, 0x61);
  const layerDigest = digestOf(layer);

  /** Each repository has its own image (so its own digest, referrers and cache keys), made on first use. */
  interface Repo { readonly image: Buffer; readonly digest: string; readonly index: Buffer; readonly referrers: Map<string, Buffer> }
  const repos = new Map<string, Repo>();
  const repoOf = (name: string): Repo => {
    const known = repos.get(name);
    if (known) return known;
    const image = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY_CONFIG, layers: [], annotations: { 'hostile.repo': name } }));
    const imageDesc = { mediaType: OCI_MANIFEST, digest: digestOf(image), size: image.length };
    const referrers = new Map<string, Buffer>();
    const listed = Array.from({ length: referrerCount }, (_, k) => {
      const m = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: NOTARY, config: EMPTY_CONFIG,
        layers: [{ mediaType: 'application/jose+json', digest: layerDigest, size: layerBytes }],
        subject: imageDesc, annotations: { 'hostile.k': String(k) },
      }));
      const d = digestOf(m);
      referrers.set(d, m);
      return { mediaType: OCI_MANIFEST, digest: d, size: m.length, artifactType: NOTARY };
    });
    const repo = { image, digest: imageDesc.digest, index: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: listed })), referrers };
    repos.set(name, repo);
    return repo;
  };

  let requests: Record<string, number> = {};
  let bytesSent = 0;
  let open = 0;
  let peak = 0;
  let streaming = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const send = (req: IncomingMessage, res: ServerResponse, status: number, type: string | undefined, body: Buffer, digest?: string) => {
    res.writeHead(status, { 'content-length': String(body.length), ...(type ? { 'content-type': type } : {}), ...(digest ? { 'docker-content-digest': digest } : {}) });
    if (req.method === 'HEAD') { res.end(); return; }
    bytesSent += body.length;
    res.end(body);
  };

  const serveLayer = (res: ServerResponse) => {
    streaming++;
    res.on('close', () => { streaming--; });
    if (mode === 'whole') {
      res.writeHead(200, { 'content-length': String(layerBytes), 'content-type': 'application/octet-stream' });
      bytesSent += layerBytes;
      res.end(layer);
      return;
    }
    if (mode === 'slowloris') {
      res.writeHead(200, { 'content-length': String(layerBytes), 'content-type': 'application/octet-stream' });
      const t = setInterval(() => { if (!res.destroyed) { bytesSent++; res.write(layer.subarray(0, 1)); } }, 200);
      timers.add(t);
      res.on('close', () => { clearInterval(t); timers.delete(t); });
      return;
    }
    // Endless: chunked, never ends; written as fast as the client reads.
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = layer.subarray(0, Math.min(64 * 1024, layer.length));
    const pump = () => {
      while (!res.destroyed) {
        bytesSent += chunk.length;
        if (!res.write(chunk)) { res.once('drain', pump); return; }
      }
    };
    pump();
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const m = /^\/v2\/(.+)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(path);
    const kind = path === '/v2/' ? 'ping' : m ? (m[2] === 'manifests' && m[3]!.startsWith('sha256:') ? 'manifest-by-digest' : m[2]!) : 'other';
    requests[kind] = (requests[kind] ?? 0) + 1;
    if (path === '/v2/') return send(req, res, 200, 'application/json', Buffer.from('{}'));
    if (!m) return send(req, res, 404, 'application/json', Buffer.from('{"errors":[{"code":"NAME_UNKNOWN"}]}'));
    const [, name, what, ref] = m;
    const repo = name!.startsWith('hostile/') ? repoOf(name!) : undefined;
    if (!repo) return send(req, res, 404, 'application/json', Buffer.from('{"errors":[{"code":"NAME_UNKNOWN"}]}'));
    if (what === 'referrers' && ref === repo.digest) return send(req, res, 200, OCI_INDEX, repo.index);
    if (what === 'manifests' && (ref === '1' || ref === repo.digest)) return send(req, res, 200, OCI_MANIFEST, repo.image, repo.digest);
    if (what === 'manifests' && repo.referrers.has(ref!)) return send(req, res, 200, OCI_MANIFEST, repo.referrers.get(ref!)!, ref);
    if (what === 'blobs' && ref === layerDigest) return serveLayer(res);
    return send(req, res, 404, 'application/json', Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'));
  };

  const servers: Server[] = [];
  const hosts: string[] = [];
  for (let i = 0; i < (options.listeners ?? 1); i++) {
    const server = createServer(handle);
    server.on('connection', (s: Socket) => {
      open++;
      peak = Math.max(peak, open);
      sockets.add(s);
      s.on('close', () => { open--; sockets.delete(s); });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    hosts.push(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  return {
    hosts,
    image: (i) => `${hosts[i % hosts.length]}/hostile/app-${i}@${repoOf(`hostile/app-${i}`).digest}`,
    stats: () => ({ requests: { ...requests }, bytesSent, openSockets: open, peakSockets: peak, streaming }),
    reset() { requests = {}; bytesSent = 0; peak = open; },
    async stop() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
