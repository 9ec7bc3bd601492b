/**
 * The public face of src/config: load and validate scope files, derive a scope from
 * an interface address, print the effective scope. Other modules import from here.
 *
 * ```ts
 * const scopes = await loadScopes('./scopes');          // all files + cross-file rules
 * const one = await loadScopeFile('scopes/bench1.yaml'); // one file
 * const auto = deriveScope({ name: 'eth1', interface: 'eth1', address, prefix: 24 });
 * ```
 */
export type { AddressRange, BootData, ClassMatch, ClientClass, Reservation, Scope, ScopeOption } from './scope.js';
export { validateScopeText, scopeNameOfFile, SCOPE_NAME, type ScopeValidation } from './validate.js';
export {
  loadScopeFile,
  loadScopes,
  readScopeDir,
  checkScopeCandidate,
  scopeFilePath,
  ScopeIssuesError,
  type ScopeDir,
  type ScopeDirEntry,
} from './load.js';
export {
  deriveScope,
  hostsExcept,
  poolSize,
  formatRange,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_DECLINE_SECONDS,
  type DeriveScopeInput,
  type ScopeOverrides,
} from './defaults.js';
export { formatScope, scopeToPlain } from './format.js';
export { formatIssue, formatIssues, type ScopeIssue, type FieldPath } from './issues.js';
export { parseDuration, formatDuration } from './duration.js';
export { findScopeOverlaps } from './overlap.js';
