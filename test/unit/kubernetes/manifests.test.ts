import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { parseConfigText } from '../../../src/config/load-config.js';
import { parseNotationVerifierConfig } from '../../../src/verifiers/notation/notation-verifier-config.js';
import type { VerifierConfigEntry } from '../../../src/verifiers/verifier.js';
import { loadManifests, type ManifestObject } from '../../helpers/load-manifests.js';

const manifests = loadManifests();
const objects = manifests.map((m) => m.object);
const NS = 'portcullis-system';

function one(kind: string, name?: string): ManifestObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0] as ManifestObject;
}

// Narrow, typed views of the parts the invariants look at.
interface Container {
  name: string; image: string; args?: string[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number; scheme?: string } };
  livenessProbe?: { httpGet?: { path: string; port: string | number; scheme?: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
}
interface Webhook {
  name: string;
  clientConfig: { service?: { name: string; namespace: string; path: string; port: number }; caBundle?: string };
  rules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[];
  namespaceSelector?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  sideEffects: string; timeoutSeconds: number; failurePolicy: string; admissionReviewVersions: string[];
  reinvocationPolicy?: string;
}

describe('manifests/ (kustomize base)', () => {
  it('lists only files that parse to Kubernetes objects with a name', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'ConfigMap', 'CustomResourceDefinition', 'CustomResourceDefinition',
      'Deployment', 'MutatingWebhookConfiguration', 'Namespace',
      'NetworkPolicy', 'PodDisruptionBudget', 'Secret', 'Service', 'ServiceAccount', 'ValidatingWebhookConfiguration',
    ]);
    for (const { file, object } of manifests) {
      expect([file, typeof object.apiVersion, typeof object.kind, typeof object.metadata.name])
        .toEqual([file, 'string', 'string', 'string']);
    }
  });

  it('puts every namespaced object in portcullis-system', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    for (const o of objects) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(`${o.kind}/${o.metadata.name}: ${o.metadata.namespace}`).toBe(`${o.kind}/${o.metadata.name}: ${NS}`);
    }
    expect(one('Namespace').metadata.name).toBe(NS);
  });

  it('has no duplicate objects', () => {
    const keys = objects.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  describe('RBAC', () => {
    it('grants only get/list/watch on secrets, serviceaccounts and namespaces', () => {
      const role = one('ClusterRole', 'portcullis') as ManifestObject & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
      expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets', 'serviceaccounts', 'namespaces'], verbs: ['get', 'list', 'watch'] }]);
    });

    it('binds that role to the Deployment\'s ServiceAccount', () => {
      const binding = one('ClusterRoleBinding', 'portcullis') as ManifestObject & { roleRef: unknown; subjects: unknown };
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'portcullis' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'portcullis', namespace: NS }]);
      one('ServiceAccount', 'portcullis');
    });
  });

  describe('Deployment', () => {
    const deployment = one('Deployment', 'portcullis') as ManifestObject & {
      spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
    };
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0] as Container;

    it('runs two replicas under the ServiceAccount', () => {
      expect(deployment.spec.replicas).toBe(2);
      expect(pod.serviceAccountName).toBe('portcullis');
      expect(pod.containers).toHaveLength(1);
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    });

    it('serves the webhook on 8443 and probes /healthz and /readyz on the plain-HTTP metrics port (the kubelet has no client certificate)', () => {
      expect(container.ports?.find((p) => p.name === 'https')?.containerPort).toBe(8443);
      expect(container.ports?.find((p) => p.name === 'metrics')?.containerPort).toBe(9090);
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics', scheme: 'HTTP' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'metrics', scheme: 'HTTP' });
    });

    it('sets resource requests and limits', () => {
      expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
      expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
    });

    it('runs as non-root on a read-only root filesystem with every capability dropped', () => {
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
      });
    });

    it('mounts the config ConfigMap and the certificate Secret and passes the config path', () => {
      const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
      const mounts = new Map((container.volumeMounts ?? []).map((m) => [m.name, m]));
      expect(volumes.get('config')?.configMap?.name).toBe('portcullis-config');
      expect(volumes.get('tls')?.secret?.secretName).toBe('portcullis-tls');
      expect(mounts.get('config')).toMatchObject({ mountPath: '/etc/portcullis/config', readOnly: true });
      expect(mounts.get('tls')).toMatchObject({ mountPath: '/etc/portcullis/tls', readOnly: true });
      expect(container.args).toEqual(['serve', '--config', '/etc/portcullis/config/portcullis.yaml']);
      for (const m of mounts.values()) expect(volumes.has(m.name)).toBe(true);
    });

    it('is covered by a PodDisruptionBudget keeping one replica up', () => {
      const pdb = one('PodDisruptionBudget', 'portcullis') as ManifestObject & { spec: { minAvailable: number; selector: { matchLabels: unknown } } };
      expect(pdb.spec.minAvailable).toBe(1);
      expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    });

    it('is exposed by a Service mapping 443 to the https port', () => {
      const svc = one('Service', 'portcullis') as ManifestObject & { spec: { selector: unknown; ports: { name: string; port: number; targetPort: string }[] } };
      expect(svc.spec.selector).toEqual(deployment.spec.selector.matchLabels);
      expect(svc.spec.ports.find((p) => p.name === 'https')).toMatchObject({ port: 443, targetPort: 'https' });
    });
  });

  describe('config ConfigMap', () => {
    const text = (one('ConfigMap', 'portcullis-config') as ManifestObject & { data: Record<string, string> }).data['portcullis.yaml'] ?? '';
    const config = parse(text) as {
      server: { port: number }; tls: { certFile: string; keyFile: string; clientCAFile: string | null; allowedClientNames?: string[] };
      validation: { excludeNamespaces: string[] }; registries: { kubernetesPullSecrets: boolean };
    };

    it('is a valid Portcullis config, verifiers included', () => {
      const parsed = parseConfigText(text, '/etc/portcullis/config/portcullis.yaml');
      expect(parsed.verifiers.map((v) => v.type)).toEqual(['notation']);
      expect(parseNotationVerifierConfig(parsed.verifiers[0] as unknown as VerifierConfigEntry, 'verifiers[0]').trustStores)
        .toEqual(new Map([['ca:release', ['/etc/portcullis/trust/ca.pem']]]));
    });

    it('serves on 8443 with the certificate from the mounted Secret', () => {
      expect(config.server.port).toBe(8443);
      expect(config.tls).toMatchObject({ certFile: '/etc/portcullis/tls/tls.crt', keyFile: '/etc/portcullis/tls/tls.key' });
    });

    it('turns mTLS on with the CA from the mounted Secret and allows only the client `portcullis certs generate` mints', () => {
      expect(config.tls.clientCAFile).toBe('/etc/portcullis/tls/ca.crt');
      expect(config.tls.allowedClientNames).toEqual(['portcullis-client']);
    });

    it('bounds in-flight reviews and event-loop lag (overload sheds)', () => {
      const parsed = parseConfigText(text, '/etc/portcullis/config/portcullis.yaml');
      expect(parsed.admission.maxInflight).toBeGreaterThan(0);
      expect(parsed.admission.maxEventLoopLagMs).toBeGreaterThan(0);
    });

    it('excludes kube-system and its own namespace and reads pull secrets through the API server', () => {
      expect(config.validation.excludeNamespaces).toEqual(expect.arrayContaining(['kube-system', NS]));
      expect(config.registries.kubernetesPullSecrets).toBe(true);
    });
  });

  it('ships the certificate Secret as an empty kubernetes.io/tls placeholder (no key material in git)', () => {
    const secret = one('Secret', 'portcullis-tls') as ManifestObject & { type: string; data: Record<string, string> };
    expect(secret.type).toBe('kubernetes.io/tls');
    expect(secret.data).toEqual({ 'tls.crt': '', 'tls.key': '', 'ca.crt': '' });
  });

  describe('NetworkPolicy', () => {
    interface Peer { ipBlock?: { cidr: string; except?: string[] }; podSelector?: unknown; namespaceSelector?: { matchLabels?: Record<string, string> } }
    const policy = one('NetworkPolicy', 'portcullis') as ManifestObject & {
      spec: { podSelector: { matchLabels: unknown }; policyTypes: string[]; ingress: { ports: { port: string }[]; from: Peer[] }[] };
    };
    const deployment = one('Deployment', 'portcullis') as ManifestObject & { spec: { selector: { matchLabels: unknown } } };
    const rulesFor = (port: string) => policy.spec.ingress.filter((r) => r.ports.some((p) => p.port === port));

    it('selects the Portcullis Pods and restricts ingress', () => {
      expect(policy.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(policy.spec.policyTypes).toEqual(['Ingress']);
      // Every rule names its ports: no rule opens every port.
      for (const rule of policy.spec.ingress) expect(rule.ports.length).toBeGreaterThan(0);
    });

    it('admits the webhook port from addresses outside the Pod network only, never by Pod or namespace selector', () => {
      const peers = rulesFor('https').flatMap((r) => r.from);
      expect(peers.length).toBeGreaterThan(0);
      for (const peer of peers) {
        expect(peer.podSelector).toBeUndefined();
        expect(peer.namespaceSelector).toBeUndefined();
        expect(peer.ipBlock?.except?.length).toBeGreaterThan(0);
      }
    });
  });

  describe.each([
    ['MutatingWebhookConfiguration', '/mutate'],
    ['ValidatingWebhookConfiguration', '/validate'],
  ])('%s', (kind, path) => {
    const webhooks = (one(kind, 'portcullis') as ManifestObject & { webhooks: Webhook[] }).webhooks;
    const webhook = webhooks[0] as Webhook;

    it(`calls the Service on ${path}`, () => {
      expect(webhooks).toHaveLength(1);
      expect(webhook.clientConfig.service).toEqual({ name: 'portcullis', namespace: NS, path, port: 443 });
    });

    it('fails closed, has no side effects, a 10 s timeout and speaks admission.k8s.io/v1', () => {
      expect(webhook).toMatchObject({ sideEffects: 'None', timeoutSeconds: 10, failurePolicy: 'Fail', admissionReviewVersions: ['v1'] });
    });

    it('excludes kube-system and portcullis-system by namespaceSelector', () => {
      expect(webhook.namespaceSelector?.matchExpressions).toEqual([
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', NS] },
      ]);
    });

    it('covers pods, pods/ephemeralcontainers and every workload kind on CREATE and UPDATE', () => {
      const covered = webhook.rules.flatMap((r) => {
        expect(r.operations).toEqual(['CREATE', 'UPDATE']);
        expect(r.apiVersions).toEqual(['v1']);
        return r.apiGroups.flatMap((g) => r.resources.map((res) => `${g}/${res}`));
      });
      expect(covered.sort()).toEqual([
        '/pods', '/pods/ephemeralcontainers', '/podtemplates', '/replicationcontrollers',
        'apps/daemonsets', 'apps/deployments', 'apps/replicasets', 'apps/statefulsets',
        'batch/cronjobs', 'batch/jobs',
      ]);
    });

    it(kind === 'MutatingWebhookConfiguration' ? 'is reinvoked if needed' : 'has no reinvocation policy', () => {
      expect(webhook.reinvocationPolicy).toBe(kind === 'MutatingWebhookConfiguration' ? 'IfNeeded' : undefined);
    });
  });
});
