/**
 * A fake ImagePinner for unit and server tests: answers from a table, records its calls, and
 * can be told to hang (to exercise the deadline) or throw.
 */
import type { AdmissionContext, ImagePinner, PinOutcome } from '../../src/admission/ports.js';

export interface FakeImagePinnerOptions {
  /** image as written → pinned reference; images absent here and without `@` are errors. */
  pinned?: Record<string, string>;
  /** image → error message (code REGISTRY_ERROR). */
  errors?: Record<string, string>;
  /** Never answer (until the signal aborts, which it ignores too). */
  hang?: boolean;
  /** Reject the whole call. */
  throws?: Error;
  /** Pin every image without a digest to this digest. */
  pinAll?: string;
  /** Work until the signal aborts, then fail every image with this message (a stalled registry). */
  errorOnAbort?: string;
}

export class FakeImagePinner implements ImagePinner {
  readonly calls: Array<{ images: readonly string[]; ctx: AdmissionContext }> = [];
  constructor(private readonly options: FakeImagePinnerOptions = {}) {}

  async pin(images: readonly string[], ctx: AdmissionContext): Promise<Map<string, PinOutcome>> {
    this.calls.push({ images, ctx });
    if (this.options.hang) return new Promise<never>(() => undefined);
    if (this.options.throws) throw this.options.throws;
    const onAbort = this.options.errorOnAbort;
    if (onAbort !== undefined) {
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      return new Map(images.map((image) => [image, { kind: 'error', code: 'DEADLINE', message: `${image}: ${onAbort}` } as const]));
    }
    const out = new Map<string, PinOutcome>();
    for (const image of images) {
      const error = own(this.options.errors, image);
      const pinned = own(this.options.pinned, image) ?? (this.options.pinAll !== undefined && !image.includes('@') ? `${image}@${this.options.pinAll}` : undefined);
      if (error !== undefined) out.set(image, { kind: 'error', code: 'REGISTRY_ERROR', message: error });
      else if (pinned !== undefined) out.set(image, { kind: 'pinned', reference: pinned, digest: pinned.slice(pinned.indexOf('@') + 1) });
      else if (image.includes('@')) out.set(image, { kind: 'unchanged' });
      else out.set(image, { kind: 'error', code: 'NOT_FOUND', message: `manifest unknown: ${image}` });
    }
    return out;
  }
}

/** Images are input: a table lookup must not reach Object.prototype (an image named `constructor`). */
function own(table: Record<string, string> | undefined, key: string): string | undefined {
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}
