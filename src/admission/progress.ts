/**
 * What a review is doing right now; read when the deadline strikes so the answer can say
 * which stage and which images did not finish.
 */
export interface Progress {
  stage: 'decode' | 'namespace-mode' | 'pin' | 'validate' | 'respond';
  images: readonly string[];
}

export function newProgress(): Progress {
  return { stage: 'decode', images: [] };
}
