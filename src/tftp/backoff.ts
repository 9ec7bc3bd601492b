/**
 * The one back-off rule of benchboot's TFTP side, used by the sending and receiving
 * state machines and by the client's request loop: after a timeout the wait doubles,
 * up to a cap (by default eight times the first wait, and never past
 * {@link MAX_BACKOFF_WAIT_MS} unless the first wait is longer already). The ceiling bounds
 * how long retries of a silent peer can hold a transfer: with the default 5 retries and
 * a first wait of 5 s (the largest timeout a client is granted by default), the peer is
 * given up after 5 + 10 × 5 = 55 s instead of the hours that a client's `timeout 255`
 * doubled eight times would take.
 */

/** How many times the first wait the backed-off wait may grow to, when no cap is given. */
export const BACKOFF_CAP_FACTOR = 8;

/** The longest any backed-off wait grows to, in ms, unless the first wait is longer. */
export const MAX_BACKOFF_WAIT_MS = 10_000;

/** The default cap of the backed-off wait for a first wait of `baseMs`: 8 × baseMs, at most 10 s (but never below baseMs). */
export function backoffCap(baseMs: number): number {
  return Math.max(baseMs, Math.min(baseMs * BACKOFF_CAP_FACTOR, MAX_BACKOFF_WAIT_MS));
}

/** The wait after one more timeout: `currentMs` doubled, at most `maxMs` (default {@link backoffCap}). */
export function backoff(currentMs: number, baseMs: number, maxMs = backoffCap(baseMs)): number {
  return Math.min(currentMs * 2, maxMs);
}
