import { describe, expect, it } from '@jest/globals';
import { parseRedisUrl } from '../../../src/cache/parse-redis-url.js';

describe('parseRedisUrl', () => {
  it('passes a one-server URL through', () => {
    expect(parseRedisUrl('rediss://u:p@redis:6380/2')).toEqual({ type: 'standalone', url: 'rediss://u:p@redis:6380/2' });
  });

  it('reads a Sentinel URL: nodes (default port 26379), master name, credentials, TLS', () => {
    expect(parseRedisUrl('rediss+sentinel://app:s%40cret@s1:26380,s2,[::1]:26381/my-master')).toEqual({
      type: 'sentinel', masterName: 'my-master', tls: true, username: 'app', password: 's@cret',
      nodes: [{ host: 's1', port: 26380 }, { host: 's2', port: 26379 }, { host: '::1', port: 26381 }],
    });
  });

  it('reads a Cluster URL (default port 6379), a password without a user', () => {
    expect(parseRedisUrl('redis+cluster://:pw@n1:7000,n2')).toEqual({
      type: 'cluster', tls: false, password: 'pw', nodes: [{ host: 'n1', port: 7000 }, { host: 'n2', port: 6379 }],
    });
  });

  describe('refuses, without echoing the URL (it may hold a password)', () => {
    it.each([
      ['another scheme', 'http://redis:6379'],
      ['a sentinel URL without a master', 'redis+sentinel://:hunter2@s1:26379'],
      ['a cluster URL with a database', 'redis+cluster://:hunter2@n1:6379/1'],
      ['a bad port', 'redis+cluster://:hunter2@n1:99999'],
      ['a bad host', 'redis+cluster://:hunter2@n_1:6379'],
    ])('%s', (_what, url) => {
      let err: unknown;
      try { parseRedisUrl(url); } catch (e) { err = e; }
      expect(err).toMatchObject({ code: 'INVALID_CONFIG', path: 'cache.redis.url' });
      expect((err as Error).message).not.toContain('hunter2');
    });
  });
});
