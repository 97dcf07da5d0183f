import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../../src/config/load-config.js';
import { loadManifests } from '../../helpers/load-manifests.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';

interface Rule { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }

describe('manifests/self-managed-certs (kustomize component)', () => {
  const objects = loadManifests(join(PROJECT_ROOT, 'manifests/self-managed-certs')).map((m) => m.object);
  const rules = (kind: string) => ((objects.find((o) => o.kind === kind) as unknown as { rules: Rule[] }).rules);
  const defaults = parseConfig({}, { baseDir: '/' }).tls.selfManaged;

  it('grants create without a name, and every other verb only on the objects the config names by default', () => {
    expect(rules('Role')).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: [defaults.secretName], verbs: ['get', 'list', 'watch', 'update'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [defaults.leaseName], verbs: ['get', 'update'] },
    ]);
    expect(rules('ClusterRole')).toEqual([
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: [defaults.webhookConfigurations.validating], verbs: ['get', 'patch'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], resourceNames: [defaults.webhookConfigurations.mutating], verbs: ['get', 'patch'] },
    ]);
  });

  it('puts the Role in the namespace the config names and binds both to the Deployment\'s ServiceAccount', () => {
    expect(objects.find((o) => o.kind === 'Role')?.metadata.namespace).toBe(defaults.namespace);
    for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
      expect((objects.find((o) => o.kind === kind) as unknown as { subjects: unknown[] }).subjects).toEqual([{ kind: 'ServiceAccount', name: 'portcullis', namespace: 'portcullis-system' }]);
    }
  });

  it('names objects whose names match the webhook configurations of the base', () => {
    const base = loadManifests().map((m) => m.object);
    expect(base.find((o) => o.kind === 'ValidatingWebhookConfiguration')?.metadata.name).toBe(defaults.webhookConfigurations.validating);
    expect(base.find((o) => o.kind === 'MutatingWebhookConfiguration')?.metadata.name).toBe(defaults.webhookConfigurations.mutating);
  });
});
