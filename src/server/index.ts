export type { Ports } from './runtime-ports.js';
export { PortsHolder, type PortsLease } from './ports-holder.js';
export { createWebhookApp, type HealthChecks } from './create-webhook-app.js';
export { createMetricsApp } from './create-metrics-app.js';
export { createAdmissionHandler, type AdmissionHandlerDeps } from './handle-admission.js';
export { listen, closeGracefully, urlFor } from './listen.js';
export { parseTimeout, workBudget } from './deadline.js';
