// The page's Content-Security-Policy. The main process adds it as a response header and the renderer's
// index.html carries it in a <meta> tag; a test checks that the two agree, so neither drifts alone.
// Everything the page loads is bundled beside it: no remote script, style, font or connection.

const DIRECTIVES: ReadonlyArray<readonly [directive: string, sources: string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'none'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** The policy sent as a response header for the bundled page and its files. */
export const CONTENT_SECURITY_POLICY = DIRECTIVES.map(([d, s]) => `${d} ${s}`).join('; ');

/**
 * The same policy for `<meta http-equiv="Content-Security-Policy">`. Browsers ignore
 * `frame-ancestors` in a meta tag and log a console error for it, so the meta copy leaves it out;
 * the header keeps it.
 */
export const META_CONTENT_SECURITY_POLICY = DIRECTIVES.filter(([d]) => d !== 'frame-ancestors')
  .map(([d, s]) => `${d} ${s}`)
  .join('; ');

/**
 * Response headers with the policy set, replacing any policy header already there (in any letter
 * case), so a weaker one can never sit beside it.
 */
export function withContentSecurityPolicy(
  headers: Record<string, string | string[]> | undefined,
): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') result[name] = value;
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return result;
}
