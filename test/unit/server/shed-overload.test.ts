import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { createServer, request, type Server } from 'node:http';
import express from 'express';
import { parseConfig } from '../../../src/config/load-config.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { createMetrics } from '../../../src/observability/metrics.js';
import { createLoadShedder } from '../../../src/server/shed-overload.js';
import { fixtureText } from '../../helpers/admission-fixtures.js';

function post(port: number, path: string, body: string): Promise<{ status: number; json: { response?: { uid: string; allowed: boolean; status?: { message: string } } } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as never }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('createLoadShedder', () => {
  let lagMs = 0;
  let handled = 0;
  const metrics = createMetrics();
  const config = parseConfig({ admission: { maxInflight: 0, maxEventLoopLagMs: 250 } }, { baseDir: '/' });
  const shedder = createLoadShedder({ config: () => config, metrics, logger: silentLogger(), eventLoopLagMs: () => lagMs });
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const app = express();
    app.post('/validate', shedder.middleware('validate'), (_req, res) => {
      handled += 1;
      res.json({ response: { uid: 'handled', allowed: true } });
    });
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    shedder.close();
    await new Promise((r) => server.close(r));
  });

  it('passes reviews on while the event loop keeps up', async () => {
    lagMs = 249;
    expect((await post(port, '/validate', fixtureText('pod-create.json'))).json.response?.uid).toBe('handled');
    expect(shedder.inflight()).toBe(0);
  });

  it('sheds when the event-loop lag passes admission.maxEventLoopLagMs, with the uid and the reason, and counts it', async () => {
    lagMs = 251;
    const before = handled;
    const { status, json } = await post(port, '/validate', fixtureText('pod-create.json'));
    expect(status).toBe(200);
    expect(json.response).toMatchObject({ uid: 'pod-create-1', allowed: false });
    expect(json.response?.status?.message).toMatch(/event loop lags more than admission\.maxEventLoopLagMs \(250 ms\)/);
    expect(handled).toBe(before);
    expect((await metrics.admissionShed.get()).values.filter((v) => v.value > 0)).toEqual([{ labels: { webhook: 'validate', reason: 'event_loop_lag' }, value: 1 }]);
  });

  it('answers a shed request that is not an AdmissionReview with 400, as the handler would', async () => {
    lagMs = 1000;
    const { status } = await post(port, '/validate', 'not json');
    expect(status).toBe(400);
  });
});
