/**
 * Scope names: the rule a name follows and the name a scope file's name implies
 * (`scopes/bench1.yaml` → `bench1`), used by validation, loading and `scope add`.
 */
import { basename } from 'node:path';

/** The scope name a file name implies: `scopes/bench1.yaml` → `bench1`. */
export function scopeNameOfFile(fileName: string): string {
  return basename(fileName).replace(/\.ya?ml$/i, '');
}

/** Scope names: a letter or digit, then letters, digits, `.`, `_`, `-`; at most 64. */
export const SCOPE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
