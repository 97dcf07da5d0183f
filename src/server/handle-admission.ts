/**
 * One AdmissionReview, start to end: body (limit), decode, images, deadline, the ports, the
 * answer, one log line, the metrics. Whatever the ports do — throw, hang — the answer goes
 * out before the deadline, in the configured failure mode (SPEC "HTTP").
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { AdmissionError } from '../admission/admission-error.js';
import { admissionContext } from '../admission/admission-context.js';
import { allowResponse, denyResponse, reviewOf } from '../admission/build-response.js';
import { decodeAdmissionReview } from '../admission/decode-admission-review.js';
import { createExclusions } from '../admission/exclusions.js';
import { findImages, type ObjectImages } from '../admission/find-images.js';
import { newProgress, type Progress } from '../admission/progress.js';
import { reviewMutation } from '../admission/review-mutation.js';
import { reviewValidation } from '../admission/review-validation.js';
import type { AdmissionRequest, AdmissionResponse, Webhook } from '../admission/types.js';
import type { Config } from '../config/load-config.js';
import type { Metrics } from '../observability/metrics.js';
import { parseTimeout, workBudget } from './deadline.js';
import type { PortsHolder } from './ports-holder.js';
import { readBody } from './read-body.js';
import { errorMessage } from '../shared/error-message.js';

export interface AdmissionHandlerDeps {
  readonly config: () => Config;
  readonly ports: PortsHolder;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

type Outcome =
  | { kind: 'done'; response: AdmissionResponse; extra: Record<string, unknown> }
  | { kind: 'failed'; error: unknown }
  | { kind: 'timeout' };

export function createAdmissionHandler(webhook: Webhook, deps: AdmissionHandlerDeps) {
  return async function handleAdmission(req: Request, res: Response): Promise<void> {
    const started = performance.now();
    const config = deps.config();
    const timeoutMs = parseTimeout(req.query['timeout'], config.admission.defaultTimeoutSeconds);
    const budget = workBudget(timeoutMs, config.admission.deadlineBufferMs);
    const deadline = Date.now() + budget;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('admission deadline reached')), budget);
    deps.metrics.inflightRequests.inc({ webhook });
    const progress = newProgress();
    const log: Record<string, unknown> = { webhook };
    let decision = 'error';
    try {
      let request: AdmissionRequest;
      let found: ObjectImages | undefined;
      try {
        const body = await readBody(req, config.server.bodyLimitBytes, controller.signal);
        request = decodeAdmissionReview(body, { maxDepth: config.server.maxJsonDepth });
        Object.assign(log, {
          uid: request.uid, operation: request.operation, dryRun: request.dryRun,
          kind: [request.kind.group, request.kind.version, request.kind.kind].filter(Boolean).join('/') + (request.subResource ? `/${request.subResource}` : ''),
          namespace: request.namespace, name: request.name,
        });
        found = findImages(request);
        log.images = found?.images ?? [];
      } catch (err) {
        if (!(err instanceof AdmissionError)) throw err;
        decision = 'invalid';
        Object.assign(log, { status: 400, code: err.code, reason: err.message });
        if (!res.headersSent) res.status(400).json({ code: err.code, message: err.message });
        return;
      }

      // The ports and the config they were built from are taken together (main.ts swaps both
      // synchronously), so a reload while the body was arriving cannot mix generations.
      const lease = deps.ports.acquire();
      const current = deps.config();
      const ctx = admissionContext(request, found, controller.signal, deadline);
      const exclusions = createExclusions(current.validation);
      const work: Promise<Outcome> = webhook === 'mutate'
        ? reviewMutation(request, found, {
          pinner: lease.ports.pinner, settings: current.mutation, exclusions, ctx, progress,
        }).then((r) => ({ kind: 'done' as const, response: r.response, extra: { patchOps: r.patch.length, ...(r.errors.length ? { pinErrors: r.errors } : {}) } }))
        : reviewValidation(request, found, {
          validator: lease.ports.validator, namespaceModes: lease.ports.namespaceModes, modes: current.validation,
          exclusions, ctx, progress, logger: deps.logger,
        }).then((r) => ({ kind: 'done' as const, response: r.response, extra: { mode: r.mode, ...(r.denied.length ? { denied: r.denied } : {}) } }));
      // The lease ends when the work does, not when we answer: a port swapped out meanwhile
      // is closed only after this request stops using it.
      void work.then(() => lease.release(), () => lease.release());
      const timedOut = new Promise<Outcome>((resolve) => {
        if (controller.signal.aborted) resolve({ kind: 'timeout' });
        controller.signal.addEventListener('abort', () => resolve({ kind: 'timeout' }), { once: true });
      });
      const outcome = await Promise.race([work.catch((error: unknown): Outcome => ({ kind: 'failed', error })), timedOut]);

      let response: AdmissionResponse;
      if (outcome.kind === 'done') {
        response = outcome.response;
        Object.assign(log, outcome.extra);
      } else {
        response = failureResponse(webhook, request.uid, outcome, progress, budget, current.admission.failurePolicy);
        Object.assign(log, {
          failure: outcome.kind, stage: progress.stage, failurePolicy: current.admission.failurePolicy,
          ...(outcome.kind === 'failed' ? { err: { message: errorMessage(outcome.error) } } : {}),
        });
      }
      decision = response.allowed ? 'allowed' : 'denied';
      if (response.status) log.message = response.status.message;
      if (response.warnings) log.warnings = response.warnings.length;
      res.status(200).json(reviewOf(response));
    } catch (err) {
      // Not reachable by input, by design; answered rather than crashing the process.
      Object.assign(log, { status: 500, err: { message: errorMessage(err) } });
      if (!res.headersSent) res.status(500).json({ code: 'INTERNAL', message: 'internal error' });
    } finally {
      clearTimeout(timer);
      controller.abort(new Error('request finished'));
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.inflightRequests.dec({ webhook });
      deps.metrics.admissionRequests.inc({ webhook, decision });
      deps.metrics.admissionDuration.observe({ webhook }, seconds);
      log.decision = decision;
      log.durationMs = Math.round(seconds * 10_000) / 10;
      const level = decision === 'invalid' || decision === 'error' ? 'warn' : 'info';
      deps.logger[level](log, 'admission review');
    }
  };
}

function failureResponse(webhook: Webhook, uid: string, outcome: Exclude<Outcome, { kind: 'done' }>, progress: Progress, budgetMs: number, policy: 'deny' | 'allow'): AdmissionResponse {
  const what = webhook === 'mutate' ? 'mutation' : 'validation';
  const images = progress.images.length > 0 ? ` (images: ${progress.images.join(', ')})` : '';
  const why = outcome.kind === 'timeout'
    ? `timed out after ${budgetMs} ms at stage "${progress.stage}"`
    : `failed at stage "${progress.stage}": ${errorMessage(outcome.error)}`;
  const message = `portcullis ${what} ${why}${images}`;
  return policy === 'deny'
    ? denyResponse(uid, `${message}; denied (admission.failurePolicy: deny)`)
    : allowResponse(uid, { warnings: [`${message}; admitted (admission.failurePolicy: allow)`] });
}

