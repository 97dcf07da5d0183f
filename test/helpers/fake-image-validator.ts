/**
 * A fake ImageValidator: allows every image unless told to deny it, records its calls, and
 * can hang (deadline tests) or reject (no verdict at all).
 */
import type { AdmissionContext, ImageValidator, ImageVerdict } from '../../src/admission/ports.js';

export interface FakeImageValidatorOptions {
  /** image → reasons it is denied. */
  deny?: Record<string, string[]>;
  /** image → policy warnings. */
  warnings?: Record<string, string[]>;
  /** Images the validator leaves out of its answer. */
  omit?: string[];
  hang?: boolean;
  throws?: Error;
  /** Wait this long before answering (honours the signal). */
  delayMs?: number;
  /**
   * Work until the signal aborts, then deny every image with this reason — what the real
   * validator does when a registry stalls: its stages end at the deadline, the policy denies.
   */
  verdictOnAbort?: string;
  /** Deny every image with this reason (fuzz tests: nothing may be allowed by its images). */
  denyAll?: string;
  /** Answer only once this settles (holds reviews in flight for overload tests). */
  until?: Promise<unknown>;
}

export class FakeImageValidator implements ImageValidator {
  readonly calls: Array<{ images: readonly string[]; ctx: AdmissionContext }> = [];
  constructor(private readonly options: FakeImageValidatorOptions = {}) {}

  async validate(images: readonly string[], ctx: AdmissionContext): Promise<ImageVerdict[]> {
    this.calls.push({ images, ctx });
    if (this.options.hang) return new Promise<never>(() => undefined);
    const onAbort = this.options.verdictOnAbort;
    if (onAbort !== undefined) {
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return images.map((image) => ({ image, allowed: false, reasons: [onAbort], warnings: [], summary: 'denied: 1 reason(s)' }));
    }
    if (this.options.until) await this.options.until;
    if (this.options.delayMs) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, this.options.delayMs);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(ctx.signal.reason);
        }, { once: true });
      });
    }
    if (this.options.throws) throw this.options.throws;
    return images.filter((i) => !this.options.omit?.includes(i)).map((image) => {
      const reasons = this.options.denyAll !== undefined ? [this.options.denyAll] : own(this.options.deny, image) ?? [];
      const allowed = reasons.length === 0;
      return {
        image,
        allowed,
        reasons,
        warnings: own(this.options.warnings, image) ?? [],
        summary: allowed ? 'allowed: notation ok' : `denied: ${reasons.length} reason(s)`,
      };
    });
  }
}

/** Images are input: a table lookup must not reach Object.prototype (an image named `constructor`). */
function own(table: Record<string, string[]> | undefined, key: string): string[] | undefined {
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}
