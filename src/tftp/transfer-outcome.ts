/**
 * How a transfer ended, as a typed value the state machines return and the edges
 * (server log and events, client error) format: never a sentence parsed back later.
 */

/** How a transfer ended. */
export type TransferResult =
  /** Every block arrived and was acknowledged. */
  | { readonly kind: 'ok' }
  /** The peer sent ERROR `code` (PXE firmware does so on purpose after reading tsize). */
  | { readonly kind: 'peer-error'; readonly code: number; readonly message: string }
  /** `retries` timeouts in a row while waiting for the peer's ACK or DATA. */
  | { readonly kind: 'timeout'; readonly waitingFor: 'ACK' | 'DATA'; readonly retries: number }
  /** Ended on this side (shutdown, local read or write failure, a bad block): ERROR `code` was sent. */
  | { readonly kind: 'aborted'; readonly code: number; readonly message: string };

/** A failed transfer's result. */
export type TransferFailure = Exclude<TransferResult, { readonly kind: 'ok' }>;

/** The result of a successful transfer (one shared value: finishing allocates nothing). */
export const TRANSFER_OK: TransferResult = { kind: 'ok' };

/** A one-line reason for a failure, seen from this side ("peer sent error 0: ..."). */
export function describeTransferFailure(r: TransferFailure, peerWord = 'peer'): string {
  switch (r.kind) {
    case 'peer-error':
      return `${peerWord} sent error ${r.code}: ${r.message}`;
    case 'timeout':
      return `no ${r.waitingFor} after ${r.retries} retries`;
    case 'aborted':
      return r.message;
  }
}
