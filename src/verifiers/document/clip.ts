/** Document text copied into results is bounded: a hostile SBOM must not inflate policy input. */
export function clip(text: string, max = 256): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
