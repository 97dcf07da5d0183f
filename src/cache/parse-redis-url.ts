/**
 * `cache.redis.url` for the three ways Redis is deployed (node-redis v6: createClient,
 * createSentinel, createCluster):
 *
 *   redis://[user:password@]host:port[/db]              one server (rediss:// for TLS)
 *   redis+sentinel://[user:password@]h1:26379,h2:26379/<master name>
 *                                                       Sentinel: the master is discovered and
 *                                                       followed through failovers
 *   redis+cluster://[user:password@]h1:6379,h2:6379     Cluster: slots discovered from any node
 *
 * `rediss+sentinel://` and `rediss+cluster://` use TLS. The credentials apply to every node
 * (data nodes and sentinels), as a Helm-installed Sentinel or Cluster is usually set up.
 */
import { ConfigError } from '../shared/coded-error.js';

export interface RedisNodeAddress { readonly host: string; readonly port: number }
export interface RedisAuth { readonly username?: string; readonly password?: string; readonly tls: boolean }

export type RedisTarget =
  | { readonly type: 'standalone'; readonly url: string }
  | ({ readonly type: 'sentinel'; readonly masterName: string; readonly nodes: readonly RedisNodeAddress[] } & RedisAuth)
  | ({ readonly type: 'cluster'; readonly nodes: readonly RedisNodeAddress[] } & RedisAuth);

const MULTI = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/]*)@)?([^/?#]+)(?:\/([^?#]*))?$/;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/;

export function parseRedisUrl(url: string, path = 'cache.redis.url'): RedisTarget {
  if (/^rediss?:\/\//.test(url)) {
    try { new URL(url); } catch { throw new ConfigError('INVALID_CONFIG', path, 'is not a valid redis:// URL'); }
    return { type: 'standalone', url };
  }
  const m = MULTI.exec(url);
  // Messages never echo the URL: it may carry a password.
  if (!m) throw new ConfigError('INVALID_CONFIG', path, 'expected redis://, rediss://, redis+sentinel://host:port[,host:port…]/<master> or redis+cluster://host:port[,host:port…]');
  const [, scheme, kind, userinfo, hosts, rest] = m as unknown as [string, string, 'sentinel' | 'cluster', string | undefined, string, string | undefined];
  const defaultPort = kind === 'sentinel' ? 26379 : 6379;
  const nodes = hosts.split(',').map((h) => {
    const hp = HOST_PORT.exec(h);
    const port = hp?.[2] === undefined ? defaultPort : Number(hp[2]);
    if (!hp || port < 1 || port > 65535) throw new ConfigError('INVALID_CONFIG', path, `node ${JSON.stringify(h)} is not host[:port]`);
    return { host: hp[1]!.replace(/^\[|\]$/g, ''), port };
  });
  const auth: RedisAuth = { tls: scheme === 'rediss', ...credentials(userinfo, path) };
  if (kind === 'cluster') {
    if (rest) throw new ConfigError('INVALID_CONFIG', path, 'a cluster URL has no path (Redis Cluster has one database)');
    return { type: 'cluster', nodes, ...auth };
  }
  const masterName = decodeURIComponent(rest ?? '');
  if (!masterName) throw new ConfigError('INVALID_CONFIG', path, 'a sentinel URL names the master: redis+sentinel://host:26379/<master name>');
  return { type: 'sentinel', masterName, nodes, ...auth };
}

function credentials(userinfo: string | undefined, path: string): { username?: string; password?: string } {
  if (!userinfo) return {};
  const i = userinfo.indexOf(':');
  try {
    const user = decodeURIComponent(i < 0 ? userinfo : userinfo.slice(0, i));
    const password = i < 0 ? undefined : decodeURIComponent(userinfo.slice(i + 1));
    return { ...(user ? { username: user } : {}), ...(password !== undefined ? { password } : {}) };
  } catch {
    throw new ConfigError('INVALID_CONFIG', path, 'has badly escaped credentials');
  }
}
