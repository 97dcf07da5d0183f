/**
 * The alert rules with the real promtool: `promtool check rules` on the plain rules file and
 * `promtool test rules` on its unit tests, one scenario per alert (each must fire in one);
 * the PrometheusRule manifest carries exactly the same groups.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { PROJECT_ROOT, toolPath } from '../../helpers/tools.js';

const run = promisify(execFile);
const DIR = join(PROJECT_ROOT, 'deploy/prometheus');
const read = (f: string) => parse(readFileSync(join(DIR, f), 'utf8')) as Record<string, unknown>;

interface Rules { groups: Array<{ name: string; rules: Array<{ alert?: string; expr: string }> }> }
interface RuleTests { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }> }

const alerts = (read('portcullis-rules.yaml') as unknown as Rules).groups.flatMap((g) => g.rules.map((r) => r.alert)).filter((a): a is string => !!a);

describe('the Prometheus alert rules', () => {
  it('pass promtool check rules', async () => {
    const { stdout } = await run(toolPath('promtool'), ['check', 'rules', 'portcullis-rules.yaml'], { cwd: DIR });
    expect(stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
  }, 30_000);

  it('pass promtool test rules', async () => {
    const { stdout } = await run(toolPath('promtool'), ['test', 'rules', 'portcullis-rules.test.yaml'], { cwd: DIR });
    expect(stdout).toContain('SUCCESS');
  }, 60_000);

  it('have a unit test in which each alert fires, and one in which it does not', () => {
    const cases = (read('portcullis-rules.test.yaml') as unknown as RuleTests).tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect({ alert, fires: mine.some((c) => c.exp_alerts.length > 0), quiet: mine.some((c) => c.exp_alerts.length === 0) })
        .toEqual({ alert, fires: true, quiet: true });
    }
    expect(alerts).toEqual(expect.arrayContaining([
      'PortcullisWebhookLatencyNearTimeout', 'PortcullisAdmissionErrors', 'PortcullisCertificateExpiringSoon',
      'PortcullisPolicyReloadFailing', 'PortcullisCanaryFailing', 'PortcullisRedisFallback',
    ]));
  });

  it('ship as a PrometheusRule with the same groups', () => {
    const manifest = read('portcullis-prometheusrule.yaml');
    expect(manifest).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'portcullis' } });
    expect(manifest.spec).toEqual(read('portcullis-rules.yaml'));
  });
});
