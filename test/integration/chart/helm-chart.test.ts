/**
 * Issue 17 item 3: the Helm chart with the real `helm` v4 — `helm lint --strict` clean,
 * `helm template` for the default values and a few value sets, each rendered config accepted
 * by Portcullis' own config loader, bad values refused by values.schema.json (and the
 * template's own checks), and the security-relevant fields equal to the kustomize base's so
 * that the two installs cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseConfigText, type Config } from '../../../src/config/load-config.js';
import { VERIFIER_TYPES } from '../../../src/config/schema.js';
import { CHART_DIR, RELEASE, findObject, helm, helmTemplate, parseObjects } from '../../helpers/helm.js';
import { loadManifests, type ManifestObject } from '../../helpers/load-manifests.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';
import { createTestCa } from '../../helpers/test-ca.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const ca = createTestCa('chart-test-ca');
const serving = ca.issue({ commonName: 'portcullis', usage: 'server', dnsNames: ['portcullis.portcullis-system.svc'] });
const HMAC_KEY = `secret:${RELEASE.namespace}/portcullis-cache-hmac/current`;

/** Values under which the chart renders what the kustomize base holds: a certificate Secret made by hand, its ca.crt the mTLS client CA. */
const KUSTOMIZE_LIKE = {
  namespace: { create: true },
  certificates: { selfManaged: { enabled: false }, existingSecret: 'portcullis-tls', caBundle: b64(ca.certPem) },
  mtls: { clientCA: { existingSecret: 'portcullis-tls' } },
};

const VALUE_SETS: Record<string, Record<string, unknown>> = {
  'defaults': {},
  'the kustomize-like set': KUSTOMIZE_LIKE,
  'Redis with HMAC keys': {
    cache: { type: 'redis', redis: { url: 'rediss://redis.portcullis-system.svc:6379', hmacKeys: [HMAC_KEY] } },
  },
  'Redis with a password, config in a Secret': {
    configStorage: 'Secret',
    cache: { type: 'redis', redis: { url: 'redis://portcullis:s3cret@redis.portcullis-system.svc:6379', hmacKeys: [HMAC_KEY] } },
  },
  'mTLS off': { mtls: { enabled: false } },
  'mTLS with the client CA inline': { mtls: { clientCA: { pem: ca.certPem }, allowedClientNames: ['kube-apiserver-webhook'] } },
  'self-managed certificates off, pair inline': {
    certificates: { selfManaged: { enabled: false }, tlsCrt: serving.certPem, tlsKey: serving.keyPem, caBundle: b64(ca.certPem) },
  },
  'warn mode, per-namespace modes, a cosign verifier, pinned image, 3 replicas': {
    replicas: 3,
    image: { repository: 'registry.example.com/portcullis', tag: '0.1.0', digest: `sha256:${'a'.repeat(64)}` },
    validation: { mode: 'warn', namespaces: { payments: 'enforce' }, excludeNamespaces: ['monitoring'], modeLabelMayRelax: { namespaces: ['sandbox'] } },
    verifiers: [{ name: 'release-cosign', type: 'cosign', key: 'secret:portcullis-system/release-trust/cosign.pub', tlog: { required: false } }],
    trust: { files: { 'ca.pem': ca.certPem } },
    extraConfig: { canary: { intervalSeconds: 30 } },
  },
};

function configOf(objects: readonly ManifestObject[]): { text: string; config: Config; storage: string } {
  const holder = objects.find((o) => (o.kind === 'ConfigMap' || o.kind === 'Secret') && o.metadata.name === 'portcullis-config') as
    (ManifestObject & { data?: Record<string, string>; stringData?: Record<string, string> }) | undefined;
  if (!holder) throw new Error('no portcullis-config');
  const text = holder.kind === 'ConfigMap' ? holder.data?.['portcullis.yaml'] : holder.stringData?.['portcullis.yaml'];
  if (text === undefined) throw new Error('portcullis-config has no portcullis.yaml');
  // The path the Deployment mounts it at: relative paths would resolve there.
  return { text, config: parseConfigText(text, '/etc/portcullis/config/portcullis.yaml'), storage: holder.kind };
}

interface Webhook { name: string; clientConfig: { service?: Record<string, unknown>; caBundle?: string }; [k: string]: unknown }
interface WebhookConfiguration extends ManifestObject { webhooks: Webhook[] }
interface Rules extends ManifestObject { rules: unknown[] }
interface Container {
  image: string; args: string[]; ports: unknown[]; readinessProbe: unknown; livenessProbe: unknown; resources: unknown; securityContext: unknown;
  env: { name: string; value?: string }[]; volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Deployment extends ManifestObject {
  spec: { replicas: number; strategy: unknown; template: { spec: { securityContext: unknown; serviceAccountName: string; containers: Container[]; volumes: { name: string; secret?: { secretName: string; optional?: boolean } }[] } } };
}

const withoutCaBundle = (w: Webhook): Webhook => {
  const { caBundle: _ignored, ...clientConfig } = w.clientConfig;
  return { ...w, clientConfig };
};

describe('the Helm chart (charts/portcullis) with the real helm', () => {
  it('passes helm lint --strict with the default values and with every value set', async () => {
    for (const [name, values] of Object.entries(VALUE_SETS)) {
      const run = await helm(['lint', '--strict', CHART_DIR, '--namespace', RELEASE.namespace], values);
      expect([name, run.code, run.stdout]).toEqual([name, 0, expect.stringContaining('1 chart(s) linted, 0 chart(s) failed')]);
      expect([name, run.stdout]).not.toEqual([name, expect.stringMatching(/\[(WARNING|ERROR)\]/)]);
    }
  }, 120_000);

  it('renders every value set into a config Portcullis\' own loader accepts, carrying the values', async () => {
    for (const [name, values] of Object.entries(VALUE_SETS)) {
      const { config } = configOf(await helmTemplate(values));
      expect([name, config.server.port, config.server.metricsPort]).toEqual([name, 8443, 9090]);
      expect([name, config.validation.excludeNamespaces.slice(0, 2)]).toEqual([name, ['kube-system', 'portcullis-system']]);
    }
    const defaults = configOf(await helmTemplate()).config;
    expect(defaults.tls.selfManaged).toMatchObject({
      enabled: true, namespace: 'portcullis-system', secretName: 'portcullis-webhook-tls', serviceName: 'portcullis',
      leaseName: 'portcullis-webhook-certs', webhookConfigurations: { validating: 'portcullis', mutating: 'portcullis' },
    });
    expect(defaults.tls.clientCAFile).toBe('/etc/portcullis/client-ca/ca.crt');
    expect(defaults.validation.mode).toBe('enforce');
    expect(defaults.cache.type).toBe('memory');

    const redis = configOf(await helmTemplate(VALUE_SETS['Redis with HMAC keys'])).config;
    expect(redis.cache).toMatchObject({ type: 'redis', redis: { url: 'rediss://redis.portcullis-system.svc:6379', hmacKeys: [HMAC_KEY] } });
    const secretStored = configOf(await helmTemplate(VALUE_SETS['Redis with a password, config in a Secret']));
    expect(secretStored.storage).toBe('Secret');
    expect(configOf(await helmTemplate(VALUE_SETS['mTLS off'])).config.tls.clientCAFile).toBeNull();
    const off = configOf(await helmTemplate(VALUE_SETS['self-managed certificates off, pair inline'])).config;
    expect([off.tls.selfManaged.enabled, off.tls.certFile, off.tls.keyFile]).toEqual([false, '/etc/portcullis/tls/tls.crt', '/etc/portcullis/tls/tls.key']);
    const warn = configOf(await helmTemplate(VALUE_SETS['warn mode, per-namespace modes, a cosign verifier, pinned image, 3 replicas'])).config;
    expect(warn.validation).toMatchObject({ mode: 'warn', namespaces: { payments: 'enforce' }, excludeNamespaces: ['kube-system', 'portcullis-system', 'monitoring'], modeLabelMayRelax: { namespaces: ['sandbox'] } });
    expect(warn.verifiers.map((v) => [v.name, v.type])).toEqual([['release-cosign', 'cosign']]);
    expect(warn.canary.intervalSeconds).toBe(30);
  }, 120_000);

  it('wires values into the objects: image by digest, replicas, mTLS client CA, certificates, webhooks\' excluded namespaces', async () => {
    const pinned = await helmTemplate(VALUE_SETS['warn mode, per-namespace modes, a cosign verifier, pinned image, 3 replicas']);
    const deployment = findObject<Deployment>(pinned, 'Deployment');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.containers[0]?.image).toBe(`registry.example.com/portcullis:0.1.0@sha256:${'a'.repeat(64)}`);
    expect(findObject<{ data: Record<string, string> }>(pinned, 'Secret', 'portcullis-trust-store').data['ca.pem']).toBe(b64(ca.certPem));
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      expect(findObject<WebhookConfiguration>(pinned, kind).webhooks[0]?.namespaceSelector).toEqual({
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'portcullis-system', 'monitoring'] }],
      });
    }

    // Defaults: self-managed — no caBundle the chart (and so Helm) would own, no certificate
    // volume (every replica reads the Secret through the API server), and the RBAC for it.
    const defaults = await helmTemplate();
    for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
      expect(findObject<WebhookConfiguration>(defaults, kind).webhooks[0]?.clientConfig).not.toHaveProperty('caBundle');
    }
    const pod = findObject<Deployment>(defaults, 'Deployment').spec.template.spec;
    expect(pod.volumes.map((v) => v.name)).toEqual(['config', 'client-ca', 'trust', 'tmp']);
    expect(pod.volumes.find((v) => v.name === 'client-ca')?.secret).toEqual({ secretName: 'portcullis-client-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
    expect(defaults.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(findObject<Rules>(defaults, 'Role', 'portcullis-webhook-certs').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['portcullis-webhook-tls'], verbs: ['get', 'list', 'watch', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['portcullis-webhook-certs'], verbs: ['get', 'update'] },
    ]);
    expect(findObject<Rules>(defaults, 'ClusterRole', 'portcullis-webhook-certs').rules).toEqual([
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'], resourceNames: ['portcullis'], verbs: ['get', 'patch'] },
    ]);

    // Self-managed off: the chart's caBundle and Secret, no certificate RBAC.
    const inline = await helmTemplate(VALUE_SETS['self-managed certificates off, pair inline']);
    expect(findObject<WebhookConfiguration>(inline, 'ValidatingWebhookConfiguration').webhooks[0]?.clientConfig.caBundle).toBe(b64(ca.certPem));
    expect(findObject<{ type: string; data: Record<string, string> }>(inline, 'Secret', 'portcullis-tls')).toMatchObject({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64(serving.certPem), 'tls.key': b64(serving.keyPem) } });
    expect(inline.filter((o) => o.metadata.name === 'portcullis-webhook-certs')).toEqual([]);

    const inlineCa = await helmTemplate(VALUE_SETS['mTLS with the client CA inline']);
    expect(findObject<{ data: Record<string, string> }>(inlineCa, 'ConfigMap', 'portcullis-client-ca').data['ca.crt']?.trim()).toBe(ca.certPem.replace(/\r\n/g, '\n').trim());
    const noMtls = findObject<Deployment>(await helmTemplate(VALUE_SETS['mTLS off']), 'Deployment').spec.template.spec;
    expect(noMtls.volumes.map((v) => v.name)).not.toContain('client-ca');
  }, 120_000);

  describe('refuses bad values, naming the key', () => {
    const refused: [string, Record<string, unknown>, RegExp][] = [
      ['an unknown top-level key', { replica: 2 }, /additional properties 'replica' not allowed/],
      ['an unknown nested key', { cache: { tpye: 'redis' } }, /\/cache.*additional properties 'tpye' not allowed/],
      ['a mode Portcullis does not have', { validation: { mode: 'off' } }, /\/validation\/mode/],
      ['Redis without HMAC keys', { cache: { type: 'redis', redis: { url: 'redis://r:6379' } } }, /\/cache\/redis\/hmacKeys/],
      ['an HMAC key that is neither secret: nor a path', { cache: { type: 'redis', redis: { url: 'redis://r:6379', hmacKeys: ['current'] } } }, /\/cache\/redis\/hmacKeys\/0/],
      ['a Redis URL of another scheme', { cache: { redis: { url: 'http://r:6379' } } }, /\/cache\/redis\/url/],
      ['a malformed digest', { image: { digest: 'sha256:abc' } }, /\/image\/digest/],
      ['zero replicas', { replicas: 0 }, /\/replicas/],
      ['an empty allow-list of client names', { mtls: { allowedClientNames: [] } }, /\/mtls\/allowedClientNames/],
      ['a webhook failurePolicy of the wrong case', { webhooks: { failurePolicy: 'fail' } }, /\/webhooks\/failurePolicy/],
      ['a verifier type Portcullis does not have', { verifiers: [{ name: 'x', type: 'gpg' }] }, /\/verifiers\/0\/type/],
      ['a verifier without a name', { verifiers: [{ type: 'notation' }] }, /\/verifiers\/0/],
      ['a duration without a unit', { certificates: { selfManaged: { enabled: true, renewBefore: '720' } } }, /\/certificates\/selfManaged\/renewBefore/],
      ['a Pod CIDR that is not one', { networkPolicy: { podCIDRs: ['10.244.0.0'] } }, /\/networkPolicy\/podCIDRs\/0/],
    ];
    it.each(refused)('%s', async (_what, values, message) => {
      const run = await helm(['template', RELEASE.name, CHART_DIR, '--namespace', RELEASE.namespace], values);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain("values don't meet the specifications of the schema");
      expect(run.stderr).toMatch(message);
    });

    const failed: [string, Record<string, unknown>, RegExp][] = [
      ['a password in a Redis URL kept in a ConfigMap', { cache: { type: 'redis', redis: { url: 'redis://u:pw@r:6379', hmacKeys: [HMAC_KEY] } } }, /configStorage: Secret/],
      ['registries.credentials kept in a ConfigMap', { extraConfig: { registries: { credentials: [{ host: 'r.example', token: 't' }] } } }, /configStorage: Secret/],
      ['self-managed certificates off without a certificate', { certificates: { selfManaged: { enabled: false }, caBundle: b64(ca.certPem) } }, /certificates.existingSecret/],
      ['self-managed certificates off without a caBundle', { certificates: { selfManaged: { enabled: false }, existingSecret: 'mine' } }, /certificates.caBundle/],
      ['a client CA given twice', { mtls: { clientCA: { pem: ca.certPem, existingSecret: 'mine' } } }, /pem or existingSecret, not both/],
    ];
    it.each(failed)('%s', async (_what, values, message) => {
      const run = await helm(['template', RELEASE.name, CHART_DIR, '--namespace', RELEASE.namespace], values);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(message);
    });
  });

  it('lists in values.schema.json exactly the verifier types Portcullis has', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as { properties: { verifiers: { items: { properties: { type: { enum: string[] } } } } } };
    expect([...schema.properties.verifiers.items.properties.type.enum].sort()).toEqual([...VERIFIER_TYPES].sort());
  });

  it('grants for self-managed certificates exactly what the kustomize overlay (manifests/self-managed-certs) grants', async () => {
    interface Rule { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }
    // Each rule as the (group, resource, name, verb) grants it makes: how rules are split does not matter.
    const grants = (o: ManifestObject): string[] => (o as unknown as { rules: Rule[] }).rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) =>
      (r.resourceNames ?? ['*']).flatMap((n) => r.verbs.map((v) => `${g}/${res}/${n}/${v}`))))).sort();
    const overlay = parseObjects(readFileSync(join(PROJECT_ROOT, 'manifests/self-managed-certs/rbac.yaml'), 'utf8'));
    const chart = await helmTemplate();
    for (const kind of ['Role', 'ClusterRole']) {
      expect([kind, grants(findObject(chart, kind, 'portcullis-webhook-certs'))]).toEqual([kind, grants(findObject(overlay, kind, 'portcullis-webhook-certs'))]);
    }
    for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
      const bound = (o: ManifestObject): unknown => (o as unknown as { subjects: unknown }).subjects;
      expect([kind, bound(findObject(chart, kind, 'portcullis-webhook-certs'))]).toEqual([kind, bound(findObject(overlay, kind, 'portcullis-webhook-certs'))]);
    }
  });

  describe('matches the kustomize base in every security-relevant field', () => {
    let chart: ManifestObject[];
    const base = loadManifests().map((m) => m.object);
    const baseOf = <T>(kind: string, name?: string): T => findObject<T>(base, kind, name);
    const chartOf = <T>(kind: string, name?: string): T => findObject<T>(chart, kind, name);

    it('renders the same kinds under the same names (release "portcullis" in portcullis-system)', async () => {
      chart = await helmTemplate(KUSTOMIZE_LIKE, ['--include-crds']);
      const key = (o: ManifestObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      // The base's empty certificate Secret is a placeholder the operator replaces; the chart
      // names the operator's Secret instead (certificates.existingSecret).
      expect(chart.map(key).sort()).toEqual(base.filter((o) => o.kind !== 'Secret').map(key).sort());
      expect(chartOf<ManifestObject>('Namespace').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    });

    it('webhooks: rules, failurePolicy, sideEffects, timeouts, namespaceSelector, reinvocation, Service path and port', () => {
      for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
        expect([kind, chartOf<WebhookConfiguration>(kind).webhooks.map(withoutCaBundle)]).toEqual([kind, baseOf<WebhookConfiguration>(kind).webhooks.map(withoutCaBundle)]);
      }
    });

    it('RBAC: the same ClusterRoles, bound to the same ServiceAccount', () => {
      for (const name of ['portcullis', 'portcullis-audit']) {
        expect([name, chartOf<Rules>('ClusterRole', name).rules]).toEqual([name, baseOf<Rules>('ClusterRole', name).rules]);
        const subjects = (o: ManifestObject): unknown => ({ roleRef: (o as unknown as { roleRef: unknown }).roleRef, subjects: (o as unknown as { subjects: unknown }).subjects });
        expect(subjects(chartOf('ClusterRoleBinding', name))).toEqual(subjects(baseOf('ClusterRoleBinding', name)));
      }
    });

    it('Deployment: replicas, rollout, Pod and container security contexts, probes, ports, resources, read-only mounts', () => {
      const c = chartOf<Deployment>('Deployment');
      const b = baseOf<Deployment>('Deployment');
      expect([c.spec.replicas, c.spec.strategy]).toEqual([b.spec.replicas, b.spec.strategy]);
      expect(c.spec.template.spec.securityContext).toEqual(b.spec.template.spec.securityContext);
      expect(c.spec.template.spec.serviceAccountName).toBe(b.spec.template.spec.serviceAccountName);
      const cc = c.spec.template.spec.containers;
      const bc = b.spec.template.spec.containers;
      expect(cc).toHaveLength(bc.length);
      const same = (x: Container): unknown => ({
        args: x.args, ports: x.ports, readinessProbe: x.readinessProbe, livenessProbe: x.livenessProbe, resources: x.resources, securityContext: x.securityContext,
        nodeOptions: x.env.find((e) => e.name === 'NODE_OPTIONS')?.value,
      });
      expect(same(cc[0] as Container)).toEqual(same(bc[0] as Container));
      // Every mount read-only but /tmp; the base's mounts all present (the chart adds the client CA's).
      const mounts = (x: Container): Record<string, boolean> => Object.fromEntries(x.volumeMounts.map((m) => [m.mountPath, m.readOnly === true]));
      expect(mounts(cc[0] as Container)).toEqual({ ...mounts(bc[0] as Container), '/etc/portcullis/client-ca': true });
      const optional = (d: Deployment): Record<string, boolean> => Object.fromEntries(d.spec.template.spec.volumes.filter((v) => v.secret).map((v) => [v.secret?.secretName, v.secret?.optional === true]));
      expect(optional(c)).toEqual(optional(b));
    });

    it('PodDisruptionBudget, Service ports and NetworkPolicy ingress', () => {
      const spec = (o: ManifestObject): Record<string, unknown> => (o as unknown as { spec: Record<string, unknown> }).spec;
      expect(spec(chartOf('PodDisruptionBudget')).minAvailable).toBe(spec(baseOf('PodDisruptionBudget')).minAvailable);
      expect([spec(chartOf('Service')).type, spec(chartOf('Service')).ports]).toEqual([spec(baseOf('Service')).type, spec(baseOf('Service')).ports]);
      expect([spec(chartOf('NetworkPolicy')).policyTypes, spec(chartOf('NetworkPolicy')).ingress]).toEqual([spec(baseOf('NetworkPolicy')).policyTypes, spec(baseOf('NetworkPolicy')).ingress]);
    });

    it('config: every key as the base\'s once loaded (but where the client CA is mounted), and the same CRDs', () => {
      const c = configOf(chart).config;
      const b = configOf(base).config;
      const strip = (x: Config): unknown => ({ ...x, tls: { ...x.tls, clientCAFile: x.tls.clientCAFile === null ? null : 'set' }, configDir: null, configFile: null });
      expect(strip(c)).toEqual(strip(b));
      for (const name of ['policyreports.wgpolicyk8s.io', 'clusterpolicyreports.wgpolicyk8s.io']) {
        expect(chartOf('CustomResourceDefinition', name)).toEqual(baseOf('CustomResourceDefinition', name));
      }
    });
  });
});
