/**
 * The bound on distinct images per object (config `admission.maxImagesPerObject`, issue 14):
 * every image costs registry requests, sockets and memory, so an object naming more is denied
 * by both webhooks, in every mode, with a reason that says so.
 */
export function tooManyImages(images: readonly string[], max: number | undefined): string | undefined {
  if (max === undefined) return undefined;
  const distinct = new Set(images).size;
  if (distinct <= max) return undefined;
  return `the object names ${distinct} distinct images, more than the ${max} Portcullis checks per object (admission.maxImagesPerObject): denied`;
}
