/**
 * Node system errors (`ENOENT`, `EEXIST`, ...) and any thrown value's message, read without casts. A leaf module that
 * every package may use, protocol packages included: it knows nothing of benchboot's
 * own error catalogue (src/errors.ts).
 */

/** The errno code of a Node system error (`ENOENT`, `EEXIST`, ...), or undefined for any other value. */
export function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

/** A readable message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** True when `err` is a Node system error with this errno code. */
export function isErrno(err: unknown, code: string): boolean {
  return errnoCode(err) === code;
}
