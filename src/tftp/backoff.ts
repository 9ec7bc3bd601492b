/**
 * The one back-off rule of benchboot's TFTP side, used by the sending and receiving
 * state machines and by the client's request loop: after a timeout the wait doubles,
 * up to a cap (by default eight times the first wait).
 */

/** How many times the first wait the backed-off wait may grow to, when no cap is given. */
export const BACKOFF_CAP_FACTOR = 8;

/** The wait after one more timeout: `currentMs` doubled, at most `maxMs` (default 8 × `baseMs`). */
export function backoff(currentMs: number, baseMs: number, maxMs = baseMs * BACKOFF_CAP_FACTOR): number {
  return Math.min(currentMs * 2, maxMs);
}
