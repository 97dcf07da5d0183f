/**
 * One AdmissionReview, start to end: body (limit), decode, images, deadline, the ports, the
 * answer, one log line, the metrics. Whatever the ports do — throw, hang, answer nonsense — the
 * answer goes out before the deadline, in the configured failure mode (SPEC "HTTP"). Once the
 * request's uid is known, every path ends in an AdmissionReview decision, never HTTP 500.
 *
 * Two deadlines (issue 13, class 6): the ports work to `verdictBudget` (src/server/deadline.ts),
 * so an image whose registry stalls gets the validator's own verdict in time; only when the
 * ports cannot answer by the answer's deadline does `admission.failurePolicy` apply.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { AdmissionError } from '../admission/admission-error.js';
import { admissionContext } from '../admission/admission-context.js';
import { allowResponse, denyResponse, malformedObjectResponse, reviewOf } from '../admission/build-response.js';
import { decodeAdmissionReview } from '../admission/decode-admission-review.js';
import { createExclusions } from '../admission/exclusions.js';
import { findImages, type ObjectImages } from '../admission/find-images.js';
import { newProgress, type Progress } from '../admission/progress.js';
import { reviewMutation } from '../admission/review-mutation.js';
import { reviewValidation } from '../admission/review-validation.js';
import type { AdmissionRequest, AdmissionResponse, Webhook } from '../admission/types.js';
import type { Config } from '../config/load-config.js';
import type { Metrics } from '../observability/metrics.js';
import { parseTimeout, verdictBudget, workBudget } from './deadline.js';
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

type Failure = Exclude<Outcome, { kind: 'done' }>;

export function createAdmissionHandler(webhook: Webhook, deps: AdmissionHandlerDeps) {
  return async function handleAdmission(req: Request, res: Response): Promise<void> {
    const started = performance.now();
    const config = deps.config();
    const timeoutMs = parseTimeout(req.query['timeout'], config.admission.defaultTimeoutSeconds);
    const budget = workBudget(timeoutMs, config.admission.deadlineBufferMs);
    const portsBudget = verdictBudget(budget);
    const deadline = Date.now() + budget;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('admission deadline reached')), budget);
    // The ports' signal: aborts first, on its own deadline, or with the answer's.
    const ports = new AbortController();
    const portsTimer = setTimeout(() => ports.abort(new Error('validation deadline reached')), portsBudget);
    controller.signal.addEventListener('abort', () => ports.abort(controller.signal.reason), { once: true });
    deps.metrics.inflightRequests.inc({ webhook });
    const progress = newProgress();
    const log: Record<string, unknown> = { webhook };
    let decision = 'error';
    let request: AdmissionRequest | undefined;
    let failurePolicy = config.admission.failurePolicy;

    /** Sends a decision; one the ports got wrong (no uid, no allowed) becomes an internal failure. */
    const answer = (response: AdmissionResponse): void => {
      if (!request) throw new Error('no request to answer');
      let body: string;
      try {
        if (response?.uid !== request.uid || typeof response.allowed !== 'boolean') throw new Error('malformed admission response');
        body = JSON.stringify(reviewOf(response));
      } catch (err) {
        response = failureResponse(webhook, request.uid, { kind: 'failed', error: err }, progress, budget, failurePolicy);
        noteFailure({ kind: 'failed', error: err });
        body = JSON.stringify(reviewOf(response));
      }
      decision = response.allowed ? 'allowed' : 'denied';
      if (response.status) log.message = response.status.message;
      if (response.warnings) log.warnings = response.warnings.length;
      res.status(200).type('application/json').send(body);
    };
    const noteFailure = (f: Failure): void => {
      deps.metrics.admissionFailures.inc({ webhook, cause: f.kind === 'timeout' ? 'timeout' : 'internal' });
      Object.assign(log, {
        failure: f.kind, stage: progress.stage, failurePolicy,
        ...(f.kind === 'failed' ? { err: { message: errorMessage(f.error) } } : {}),
      });
    };

    try {
      let found: ObjectImages | undefined;
      try {
        let body: Buffer;
        try {
          body = await readBody(req, config.server.bodyLimitBytes, controller.signal);
        } catch (err) {
          throw err instanceof AdmissionError ? err : new AdmissionError('UNREADABLE', `the body could not be read: ${errorMessage(err)}`);
        }
        try {
          request = decodeAdmissionReview(body, { maxDepth: config.server.maxJsonDepth });
        } catch (err) {
          // decodeAdmissionReview throws only AdmissionErrors; anything else is a bug, still a 400.
          if (err instanceof AdmissionError) throw err;
          log.err = { message: errorMessage(err) };
          throw new AdmissionError('UNREADABLE', 'the AdmissionReview could not be read');
        }
      } catch (err) {
        const e = err as AdmissionError;
        decision = 'invalid';
        Object.assign(log, { status: 400, code: e.code, reason: e.message });
        if (!res.headersSent) res.status(400).json({ code: e.code, message: e.message });
        return;
      }
      Object.assign(log, {
        uid: request.uid, operation: request.operation, dryRun: request.dryRun,
        kind: [request.kind.group, request.kind.version, request.kind.kind].filter(Boolean).join('/') + (request.subResource ? `/${request.subResource}` : ''),
        namespace: request.namespace, name: request.name,
      });
      try {
        found = findImages(request);
      } catch (err) {
        if (!(err instanceof AdmissionError)) throw err;
        // The envelope is fine, the object is not: a denial, not a webhook error.
        Object.assign(log, { code: err.code, reason: err.message });
        answer(malformedObjectResponse(request.uid, err.message));
        return;
      }
      log.images = found?.images ?? [];

      // The ports and the config they were built from are taken together (main.ts swaps both
      // synchronously), so a reload while the body was arriving cannot mix generations.
      const lease = deps.ports.acquire();
      const current = deps.config();
      failurePolicy = current.admission.failurePolicy;
      let work: Promise<Outcome>;
      try {
        const ctx = admissionContext(request, found, ports.signal, deadline - (budget - portsBudget));
        const exclusions = createExclusions(current.validation);
        work = webhook === 'mutate'
          ? reviewMutation(request, found, {
            pinner: lease.ports.pinner, settings: current.mutation, exclusions, ctx, progress, maxImages: current.admission.maxImagesPerObject,
          }).then((r) => ({ kind: 'done' as const, response: r.response, extra: { patchOps: r.patch.length, ...(r.errors.length ? { pinErrors: r.errors } : {}) } }))
          : reviewValidation(request, found, {
            validator: lease.ports.validator, namespaceModes: lease.ports.namespaceModes, modes: current.validation,
            exclusions, ctx, progress, logger: deps.logger, maxImages: current.admission.maxImagesPerObject,
          }).then((r) => {
            if (r.mode) deps.metrics.validationDecisions.inc({ mode: r.mode, decision: r.denied.length === 0 ? 'allowed' : r.mode === 'enforce' ? 'denied' : 'would-deny' });
            return { kind: 'done' as const, response: r.response, extra: { mode: r.mode, ...(r.denied.length ? { denied: r.denied } : {}) } };
          });
      } catch (err) {
        work = Promise.reject(err);
      }
      // The lease ends when the work does, not when we answer: a port swapped out meanwhile
      // is closed only after this request stops using it.
      void work.then(() => lease.release(), () => lease.release());
      const timedOut = new Promise<Outcome>((resolve) => {
        if (controller.signal.aborted) resolve({ kind: 'timeout' });
        controller.signal.addEventListener('abort', () => resolve({ kind: 'timeout' }), { once: true });
      });
      const outcome = await Promise.race([work.catch((error: unknown): Outcome => ({ kind: 'failed', error })), timedOut]);

      if (outcome.kind === 'done') {
        Object.assign(log, outcome.extra);
        answer(outcome.response);
      } else {
        noteFailure(outcome);
        answer(failureResponse(webhook, request.uid, outcome, progress, budget, failurePolicy));
      }
    } catch (err) {
      // Not reachable by input, by design. With a uid there is still a decision to give.
      if (request && !res.headersSent) {
        const f: Failure = { kind: 'failed', error: err };
        noteFailure(f);
        answer(failureResponse(webhook, request.uid, f, progress, budget, failurePolicy));
      } else {
        Object.assign(log, { status: 500, err: { message: errorMessage(err) } });
        if (!res.headersSent) res.status(500).json({ code: 'INTERNAL', message: 'internal error' });
      }
    } finally {
      clearTimeout(timer);
      clearTimeout(portsTimer);
      controller.abort(new Error('request finished'));
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.inflightRequests.dec({ webhook });
      deps.metrics.admissionRequests.inc({ webhook, decision });
      deps.metrics.admissionDuration.observe({ webhook }, seconds);
      log.decision = decision;
      log.durationMs = Math.round(seconds * 10_000) / 10;
      const level = decision === 'invalid' || decision === 'error' || log.failure ? 'warn' : 'info';
      deps.logger[level](log, 'admission review');
    }
  };
}

/** Portcullis could not decide: `admission.failurePolicy` answers, naming the stage and images. */
function failureResponse(webhook: Webhook, uid: string, outcome: Failure, progress: Progress, budgetMs: number, policy: 'deny' | 'allow'): AdmissionResponse {
  const what = webhook === 'mutate' ? 'mutation' : 'validation';
  const images = progress.images.length > 0 ? ` (images: ${progress.images.join(', ')})` : '';
  const why = outcome.kind === 'timeout'
    ? `timed out after ${budgetMs} ms at stage "${progress.stage}"`
    : `failed at stage "${progress.stage}": ${errorMessage(outcome.error)}`;
  const message = `portcullis ${what} ${why}${images}`;
  // Only an explicit `allow` admits; any other value denies.
  return policy === 'allow'
    ? allowResponse(uid, { warnings: [`${message}; admitted (admission.failurePolicy: allow)`] })
    : denyResponse(uid, `${message}; denied (admission.failurePolicy: deny)`);
}
