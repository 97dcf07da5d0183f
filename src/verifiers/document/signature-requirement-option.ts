import { z } from 'zod';

/**
 * `requireSignature: true` (any signature verifier), `{verifiers: [names]}` (only those), or
 * false/absent. Normalised to the Verifier's `nestedRequirement` shape, undefined when off.
 */
export const signatureRequirementOption = z
  .union([z.boolean(), z.strictObject({ verifiers: z.array(z.string().min(1)).default([]) })])
  .default(false)
  .transform((v): { readonly verifiers: readonly string[] } | undefined => (v === false ? undefined : v === true ? { verifiers: [] } : { verifiers: v.verifiers }));
