/**
 * A Kubernetes label selector (matchLabels + matchExpressions, as in metav1.LabelSelector,
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#resources-that-support-set-based-requirements)
 * against a label map. All requirements must hold; an empty selector matches everything, as in
 * Kubernetes. An operator Portcullis does not know matches nothing (fails closed).
 */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values: readonly string[] }>;
}

export function matchLabelSelector(selector: LabelSelector, labels: ReadonlyMap<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    if (labels.get(key) !== value) return false;
  }
  for (const { key, operator, values } of selector.matchExpressions) {
    const value = labels.get(key);
    switch (operator) {
      case 'In': if (value === undefined || !values.includes(value)) return false; break;
      case 'NotIn': if (value !== undefined && values.includes(value)) return false; break;
      case 'Exists': if (value === undefined) return false; break;
      case 'DoesNotExist': if (value !== undefined) return false; break;
      default: return false;
    }
  }
  return true;
}
