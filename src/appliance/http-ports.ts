/**
 * The HTTP ports serve listens on by default, apart from the HTTP wiring (http.ts) so
 * that the command line's options and the root parent of serve read them without
 * loading the HTTP server (fastify).
 */

/** The ports HTTP is served on when none is asked for: 80, and 6970 where Cisco phones try HTTP first. */
export const DEFAULT_HTTP_PORTS: readonly number[] = [80, 6970];
