import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { createAdmissionHandler, type AdmissionHandlerDeps } from './handle-admission.js';
import { requireAllowedClient, type ClientIdentityCheck } from './require-allowed-client.js';
import type { LoadShedder } from './shed-overload.js';

export interface HealthChecks {
  /** TLS material loaded and the ports ready (policy loaded…). */
  ready(): boolean;
  /** Lines `/readyz?verbose` adds (the enforcement canary); they do not change readiness. */
  detail?(): string[];
}

export interface WebhookAppDeps extends AdmissionHandlerDeps {
  readonly health: HealthChecks;
  /** Which mTLS clients may call (absent: no check beyond the TLS layer's). */
  readonly clientIdentity?: ClientIdentityCheck | undefined;
  /** Sheds reviews past the overload bounds (absent: none shed). */
  readonly shedder?: LoadShedder | undefined;
}

/** The HTTPS app: POST /mutate, POST /validate, GET /healthz, GET /readyz (SPEC "HTTP"). */
export function createWebhookApp(deps: WebhookAppDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Before every route: a caller outside the allow-list learns nothing, not even health.
  if (deps.clientIdentity) app.use(requireAllowedClient(deps.clientIdentity, deps.logger));
  for (const webhook of ['mutate', 'validate'] as const) {
    const handler = createAdmissionHandler(webhook, deps);
    if (deps.shedder) app.post(`/${webhook}`, deps.shedder.middleware(webhook), handler);
    else app.post(`/${webhook}`, handler);
  }
  addHealthRoutes(app, deps.health);
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ code: 'NOT_FOUND', message: 'no such endpoint' });
  });
  app.use(errorHandler(deps.logger));
  return app;
}

export function addHealthRoutes(app: express.Express, health: HealthChecks): void {
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (req, res) => {
    const ready = health.ready();
    const status = ready ? 'ready' : 'not ready';
    // Kubernetes' own /readyz?verbose convention: one [+]/[-] line per check.
    const verbose = req.query['verbose'] !== undefined;
    const body = verbose ? [`[${ready ? '+' : '-'}]ports ${ready ? 'ok' : 'not ready'}`, ...(health.detail?.() ?? []), status].join('\n') : status;
    res.status(ready ? 200 : 503).type('text/plain').send(body);
  });
}

function errorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err: { message: (err as Error)?.message } }, 'unhandled request error');
    if (!res.headersSent) res.status(500).json({ code: 'INTERNAL', message: 'internal error' });
  };
}
