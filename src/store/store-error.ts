/**
 * How the lease store reports failures to the product: `BB_LEASE_STORE` with the
 * file or directory concerned and the original error kept as `cause`.
 */
import { BenchbootError, errorMessage } from '../errors.js';

/** A `BB_LEASE_STORE` error about `message`, optionally caused by `err`. */
export function storeError(message: string, err?: unknown): BenchbootError {
  if (err === undefined) return new BenchbootError('BB_LEASE_STORE', message);
  return new BenchbootError('BB_LEASE_STORE', `${message}: ${errorMessage(err)}`, { cause: err });
}
