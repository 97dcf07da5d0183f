import type { IncomingMessage } from 'node:http';
import { AdmissionError } from '../admission/admission-error.js';

/**
 * Reads a request body up to `limit` bytes (SPEC "HTTP": body limit, default 3 MiB). A
 * declared or actual size over the limit is refused; the rest of the body is drained, not
 * buffered, so the client can read the 400 and the connection stays usable.
 */
export async function readBody(req: IncomingMessage, limit: number, signal: AbortSignal): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new AdmissionError('BODY_TOO_LARGE', `body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<Buffer>((resolve, reject) => {
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (err: Error) => {
      cleanup();
      req.resume(); // drain and discard the rest
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) fail(new AdmissionError('BODY_TOO_LARGE', `body exceeds the limit of ${limit} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => fail(err);
    const onAbort = () => fail(new AdmissionError('BODY_TIMEOUT', 'the deadline passed while the body was still arriving'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
