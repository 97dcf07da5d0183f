import { describe, expect, it } from '@jest/globals';
import { auditAndReport } from '../../../src/audit/audit-and-report.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { FakeAuditCluster } from '../../helpers/fake-audit-cluster.js';
import { FakeImageValidator } from '../../helpers/fake-image-validator.js';

const pod = (namespace: string, name: string, images: string[], owner?: string) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { namespace, name, uid: `uid-${name}`, ...(owner ? { ownerReferences: [{ kind: owner, name: 'o', controller: true }] } : {}) },
  spec: { serviceAccountName: 'app', containers: images.map((image, i) => ({ name: `c${i}`, image })) },
});
const template = (kind: string, namespace: string, name: string, image: string, owner?: string) => ({
  kind, metadata: { namespace, name, uid: `uid-${name}`, ...(owner ? { ownerReferences: [{ kind: owner, name: 'o', controller: true }] } : {}) },
  spec: { template: { spec: { containers: [{ name: 'c', image }] } } },
});

const config = (over: { namespaces?: Record<string, 'enforce' | 'warn' | 'audit'>; excludeImages?: string[] } = {}) => ({
  validation: { mode: 'enforce' as const, namespaces: over.namespaces ?? {}, excludeNamespaces: ['kube-system'], excludeImages: over.excludeImages ?? [] },
  audit: { imagesPerSecond: 1000, timeoutSeconds: 5, maxObjects: 100, maxResultsPerReport: 100 },
});

describe('auditAndReport', () => {
  it('writes one result per image per Pod and top-level template, with the denial line as the message', async () => {
    const cluster = new FakeAuditCluster({
      'v1/Pod': [pod('apps', 'web', ['good:1', 'bad:1']), pod('apps', 'web-abc', ['good:1'], 'ReplicaSet'), pod('kube-system', 'dns', ['bad:1'])],
      'apps/v1/Deployment': [template('Deployment', 'apps', 'web', 'good:1')],
      'apps/v1/ReplicaSet': [template('ReplicaSet', 'apps', 'web-abc', 'good:1', 'Deployment')],
      'batch/v1/CronJob': [{ kind: 'CronJob', metadata: { namespace: 'jobs', name: 'nightly', uid: 'uid-n' }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'bad:1' }] } } } } } }],
    });
    const validator = new FakeImageValidator({ deny: { 'bad:1': ['no valid signature: none found', 'sbom too old'] } });
    const metrics = createMetrics(undefined, { defaults: false });
    const { reports } = await auditAndReport(config({ namespaces: { jobs: 'warn' } }), {
      cluster, validator, logger: silentLogger(), signal: AbortSignal.timeout(5000), metrics, now: () => new Date('2026-12-03T12:00:00Z'),
    });

    expect(cluster.written).toHaveLength(1);
    const [apps, jobs] = reports.namespaced as Array<{ metadata: { namespace: string; name: string }; summary: unknown; results: Array<Record<string, unknown>> }>;
    expect(apps!.metadata).toMatchObject({ namespace: 'apps', name: 'portcullis-images' });
    // Pod web (2 images), Pod web-abc, Deployment web; not the ReplicaSet its Deployment controls; nothing in kube-system.
    expect(apps!.results.map((r) => [r.result, (r.resources as Array<{ kind: string; name: string }>)[0]!.kind, (r.properties as { image: string }).image])).toEqual([
      ['fail', 'Pod', 'bad:1'], ['pass', 'Deployment', 'good:1'], ['pass', 'Pod', 'good:1'], ['pass', 'Pod', 'good:1'],
    ]);
    expect(apps!.results[0]).toMatchObject({
      source: 'portcullis', message: 'image "bad:1" denied: no valid signature: none found; sbom too old', timestamp: { seconds: 1796299200, nanos: 0 },
      resources: [{ apiVersion: 'v1', kind: 'Pod', namespace: 'apps', name: 'web', uid: 'uid-web' }],
    });
    expect(apps!.summary).toEqual({ pass: 3, fail: 1, warn: 0, error: 0, skip: 0 });
    // warn mode: the same denial, reported as warn.
    expect(jobs!.results).toEqual([expect.objectContaining({ result: 'warn', message: 'image "bad:1" denied: no valid signature: none found; sbom too old' })]);
    // One validation per (namespace, service account, pull secrets, image).
    expect(validator.calls.map((c) => `${c.ctx.request.namespace}:${c.images.join()}`).sort()).toEqual(['apps:bad:1', 'apps:good:1', 'apps:good:1', 'jobs:bad:1']);
    expect((await metrics.auditResults.get()).values.find((v) => v.labels.result === 'fail')?.value).toBe(1);
  });

  it('skips excluded images and names what could not be listed in the ClusterPolicyReport', async () => {
    const cluster = new FakeAuditCluster({ 'v1/Pod': [pod('apps', 'web', ['tools/debug:1'])] }, ['apps/v1/Deployment']);
    const { reports } = await auditAndReport(config({ excludeImages: ['tools/**'] }), {
      cluster, validator: new FakeImageValidator(), logger: silentLogger(), signal: AbortSignal.timeout(5000),
    });
    expect((reports.namespaced[0] as { results: unknown[] }).results).toEqual([expect.objectContaining({ result: 'skip' })]);
    expect(reports.cluster).toMatchObject({
      kind: 'ClusterPolicyReport', metadata: { name: 'portcullis-images' },
      results: [expect.objectContaining({ result: 'error', message: 'cannot list apps/v1 Deployment: Deployment is forbidden' })],
    });
  });

  it('reports a validator failure as an error result, never as a pass', async () => {
    const cluster = new FakeAuditCluster({ 'v1/Pod': [pod('apps', 'web', ['x:1'])] });
    const { reports } = await auditAndReport(config(), {
      cluster, validator: new FakeImageValidator({ throws: new Error('registry down') }), logger: silentLogger(), signal: AbortSignal.timeout(5000),
    });
    expect((reports.namespaced[0] as { results: unknown[] }).results).toEqual([
      expect.objectContaining({ result: 'error', message: 'image "x:1" could not be validated: registry down' }),
    ]);
  });
});
