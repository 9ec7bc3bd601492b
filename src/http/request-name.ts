/**
 * The file name an HTTP request asks for: the path of the request target (query and
 * fragment dropped), percent-decoded exactly once. What the name then means (the
 * root, alternates, default files, remaps, templates, `..` and NUL refused) is the
 * storage's decision, the same one a TFTP request gets: `GET /SEP1.cnf.xml` asks for
 * what `RRQ SEP1.cnf.xml` asks for. Decoding once means `%252e%252e` is the literal
 * name `%2e%2e`, never `..`.
 */

/** The requested name, or why the target is not a path at all (HTTP 400). */
export type RequestName = { readonly kind: 'ok'; readonly name: string } | { readonly kind: 'bad'; readonly reason: 'not-origin-form' | 'bad-encoding' };

/** The name a request target (`req.url`, origin form `/path?query`) asks for. */
export function requestNameOf(target: string): RequestName {
  if (!target.startsWith('/')) return { kind: 'bad', reason: 'not-origin-form' };
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  try {
    // The one `/` that starts every target is not part of the name (`GET /a` asks for `a`, as `RRQ a`).
    return { kind: 'ok', name: decodeURIComponent(path.slice(1)) };
  } catch {
    // A `%` not followed by two hex digits, or bytes that are not UTF-8.
    return { kind: 'bad', reason: 'bad-encoding' };
  }
}
