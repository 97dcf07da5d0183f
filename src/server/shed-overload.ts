/**
 * Overload shedding (issue 14 item 8). When more reviews are in flight than
 * `admission.maxInflight`, or the event loop lags more than `admission.maxEventLoopLagMs`, a new
 * review is answered at once in the configured failure mode (`admission.failurePolicy`) — an
 * AdmissionReview with the request's uid, HTTP 200, never a 5xx — and counted in
 * `portcullis_admission_shed_total{webhook,reason}`. Queueing it instead would only make it
 * miss the API server's `?timeout=` along with everything behind it.
 *
 * Kept apart from handle-admission.ts: this runs before the handler and only decides whether
 * the handler runs.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { AdmissionError } from '../admission/admission-error.js';
import { allowResponse, denyResponse, reviewOf } from '../admission/build-response.js';
import { decodeAdmissionReview } from '../admission/decode-admission-review.js';
import type { Webhook } from '../admission/types.js';
import type { Config } from '../config/load-config.js';
import type { Metrics } from '../observability/metrics.js';
import { parseTimeout, workBudget } from './deadline.js';
import { readBody } from './read-body.js';

export type ShedReason = 'inflight' | 'event_loop_lag';

export interface LoadShedder {
  /** Middleware for one webhook route: sheds, or counts the review in flight and passes it on. */
  middleware(webhook: Webhook): (req: Request, res: Response, next: NextFunction) => void;
  /** Reviews admitted past the shedder and not yet answered. */
  inflight(): number;
  close(): void;
}

export interface LoadShedderDeps {
  readonly config: () => Config;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Event-loop delay now, in ms; default a perf_hooks histogram (median over the last second). */
  readonly eventLoopLagMs?: () => number;
}

/** How often the event-loop histogram starts afresh, so old stalls stop counting. */
const LAG_WINDOW_MS = 1000;

export function createLoadShedder(deps: LoadShedderDeps): LoadShedder {
  let inflight = 0;
  let histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;
  let resetTimer: NodeJS.Timeout | undefined;
  const lag = deps.eventLoopLagMs ?? (() => {
    if (!histogram) {
      histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      resetTimer = setInterval(() => histogram?.reset(), LAG_WINDOW_MS).unref();
    }
    // The median, not a high percentile: one long synchronous stall (a key generated, a big
    // bundle parsed) is one late sample and must not shed the second after it; sustained
    // overload makes most samples late.
    return histogram.count > 0 ? histogram.percentile(50) / 1e6 : 0;
  });

  const reasonToShed = (): ShedReason | undefined => {
    const { maxInflight, maxEventLoopLagMs } = deps.config().admission;
    if (maxInflight > 0 && inflight >= maxInflight) return 'inflight';
    if (maxEventLoopLagMs > 0 && lag() > maxEventLoopLagMs) return 'event_loop_lag';
    return undefined;
  };

  return {
    middleware: (webhook) => (req, res, next) => {
      const reason = reasonToShed();
      if (!reason) {
        inflight += 1;
        let done = false;
        const leave = () => { if (!done) { done = true; inflight -= 1; } };
        res.once('finish', leave);
        res.once('close', leave);
        return next();
      }
      deps.metrics.admissionShed.inc({ webhook, reason });
      void shed(webhook, reason, req, res, deps);
    },
    inflight: () => inflight,
    close() {
      clearInterval(resetTimer);
      histogram?.disable();
    },
  };
}

async function shed(webhook: Webhook, reason: ShedReason, req: Request, res: Response, deps: LoadShedderDeps): Promise<void> {
  const config = deps.config();
  const { failurePolicy } = config.admission;
  // The answer must carry the request's uid, so the body is read (bounded, within the
  // request's own deadline) and decoded; nothing else is done with it.
  const budget = workBudget(parseTimeout(req.query['timeout'], config.admission.defaultTimeoutSeconds), config.admission.deadlineBufferMs);
  let uid: string;
  try {
    const body = await readBody(req, config.server.bodyLimitBytes, AbortSignal.timeout(budget));
    uid = decodeAdmissionReview(body, { maxDepth: config.server.maxJsonDepth }).uid;
  } catch (err) {
    const code = err instanceof AdmissionError ? err.code : 'INVALID_REQUEST';
    if (!res.headersSent) res.status(400).json({ code, message: (err as Error).message });
    return;
  }
  const why = reason === 'inflight'
    ? `more than admission.maxInflight (${config.admission.maxInflight}) reviews in flight`
    : `the event loop lags more than admission.maxEventLoopLagMs (${config.admission.maxEventLoopLagMs} ms)`;
  const message = `portcullis is overloaded: ${why}`;
  const response = failurePolicy === 'deny'
    ? denyResponse(uid, `${message}; denied (admission.failurePolicy: deny)`)
    : allowResponse(uid, { warnings: [`${message}; admitted unchecked (admission.failurePolicy: allow)`] });
  deps.logger.warn({ webhook, uid, shed: reason, failurePolicy }, 'admission review shed');
  if (!res.headersSent) res.status(200).json(reviewOf(response));
}
