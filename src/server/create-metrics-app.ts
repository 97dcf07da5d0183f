import express from 'express';
import type { Registry } from 'prom-client';
import { addHealthRoutes, type HealthChecks } from './create-webhook-app.js';

/** The plain-HTTP app on the metrics port: /metrics (Prometheus text), /healthz, /readyz. */
export function createMetricsApp(registry: Registry, health: HealthChecks) {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  addHealthRoutes(app, health);
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found');
  });
  return app;
}
