/** An in-memory AuditCluster: objects per `apiVersion/kind`, written reports kept for assertions. */
import type { AuditCluster } from '../../src/audit/audit-types.js';

export class FakeAuditCluster implements AuditCluster {
  readonly written: Array<{ reports: readonly Record<string, unknown>[]; cluster: Record<string, unknown> }> = [];
  constructor(private readonly objects: Record<string, Record<string, unknown>[]>, private readonly failing: readonly string[] = []) {}

  async list(apiVersion: string, kind: string, limit: number): Promise<{ items: Record<string, unknown>[]; truncated: boolean }> {
    const key = `${apiVersion}/${kind}`;
    if (this.failing.includes(key)) throw new Error(`${kind} is forbidden`);
    const all = this.objects[key] ?? [];
    return { items: all.slice(0, limit), truncated: all.length > limit };
  }

  async writeReports(reports: readonly Record<string, unknown>[], cluster: Record<string, unknown>): Promise<void> {
    this.written.push({ reports, cluster });
  }
}
