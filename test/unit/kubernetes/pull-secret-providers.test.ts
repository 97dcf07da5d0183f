/**
 * Without an authenticated caller (mTLS off) the pull secrets a review names are not read:
 * anyone reaching the Service could otherwise make Portcullis read any namespace's Secrets with
 * its own ClusterRole (issue 14 item 5, a confused deputy).
 */
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { pullSecretProviders } from '../../../src/compose-ports.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createFakeKubeApi } from '../../helpers/fake-kube-api.js';

const config = parseConfig({ registries: { kubernetesPullSecrets: true } }, { baseDir: '/' });
const scope = { namespace: 'victim', imagePullSecrets: ['pull'] };

function setUp() {
  const api = createFakeKubeApi();
  api.setSecret({ namespace: 'victim', name: 'pull', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': JSON.stringify({ auths: { 'ghcr.io': { username: 'u', password: 'p' } } }) } });
  const lines: string[] = [];
  const logger = createLogger({ destination: new Writable({ write(c: Buffer, _e, cb) { lines.push(c.toString()); cb(); } }) });
  return { api, lines, logger, metrics: createMetrics() };
}

describe('pullSecretProviders', () => {
  it('reads the pull secrets a review names when callers are authenticated', async () => {
    const { api, logger, metrics } = setUp();
    const providers = pullSecretProviders(config, api, { logger, metrics, authenticatedCallers: true });
    expect(providers).toHaveLength(1);
    await expect(providers[0]!.credentialsFor('ghcr.io', scope, new AbortController().signal)).resolves.toMatchObject({ kind: 'basic', username: 'u' });
  });

  it('reads none when callers are not authenticated (mTLS off), and says so', () => {
    const { api, lines, logger, metrics } = setUp();
    expect(pullSecretProviders(config, api, { logger, metrics, authenticatedCallers: false })).toEqual([]);
    expect(api.reads).toEqual([]);
    expect(lines.join('')).toContain('pull secrets are not read: callers are not authenticated');
  });

  it('reads none when the config does not ask for them', () => {
    const { api, logger, metrics } = setUp();
    const off = parseConfig({ registries: { kubernetesPullSecrets: false } }, { baseDir: '/' });
    expect(pullSecretProviders(off, api, { logger, metrics, authenticatedCallers: true })).toEqual([]);
  });
});
