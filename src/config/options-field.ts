/**
 * The `options` field of a scope (and of a class): extra DHCP options by code or by
 * registry name, with values checked and encoded by the option registry
 * (src/dhcp/options.ts). Two spellings are accepted:
 *
 * ```yaml
 * options:                      # list form: code or name, value or hex, always?
 *   - { name: ntp-servers, value: [10.10.0.1] }
 *   - { code: 42, value: 10.10.0.1, always: true }
 *   - { code: 200, hex: "deadbeef" }
 * options:                      # map form: name or code -> value
 *   ntp-servers: [10.10.0.1]
 *   interface-mtu: 1500
 * ```
 *
 * Options that a dedicated field already sets (router, dns, domain, boot.*) are
 * refused here so that one setting has one place; options benchboot's engine writes
 * itself (lease time, server identifier, ...) are refused too.
 */
import { fromHex } from '../net/bytes.js';
import { describeOption, findOption, listOptions, type OptionDef } from '../dhcp/options/registry.js';
import { encodeOptionValue } from '../dhcp/options/value.js';
import type { ScopeOption } from './scope.js';
import { didYouMean, type FieldPath } from './issues.js';
import { KNOWN_FIELDS } from './schema.js';

/** An issue before it is placed on a line. */
export interface PathIssue {
  readonly path: FieldPath;
  readonly message: string;
}

/** Option codes that have their own scope field, and that field's name. */
const DEDICATED_FIELDS: ReadonlyMap<number, string> = new Map([
  [3, 'router'],
  [6, 'dns'],
  [15, 'domain'],
  [66, 'boot.tftpServerName'],
  [67, 'boot.file'],
  [150, 'boot.tftpServers'],
]);

/** In a class, only the boot overrides have their own field. */
const CLASS_DEDICATED = new Set([66, 67, 150]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function optionNames(): string[] {
  return listOptions().flatMap((d) => [d.name, ...(d.aliases ?? [])]);
}

function lookup(key: string | number, path: FieldPath, issues: PathIssue[]): OptionDef | undefined {
  const def = findOption(typeof key === 'string' ? key.trim() : key);
  if (def) return def;
  if (typeof key === 'number' || /^\d+$/.test(key)) {
    issues.push({ path, message: `option code ${key} is not between 1 and 254` });
    return undefined;
  }
  const guess = didYouMean(key, optionNames());
  const hint = guess ? ` (did you mean "${guess}"?)` : ' (use a code 1-254 or a name such as tftp-servers, ntp-servers)';
  issues.push({ path, message: `unknown DHCP option "${key}"${hint}` });
  return undefined;
}

interface Entry {
  readonly key: string | number;
  readonly keyPath: FieldPath;
  readonly value?: unknown;
  readonly hex?: unknown;
  readonly valuePath: FieldPath;
  readonly always: boolean;
}

function entriesOfList(list: readonly unknown[], base: FieldPath, issues: PathIssue[]): Entry[] {
  const out: Entry[] = [];
  list.forEach((item, i) => {
    const at = [...base, i];
    if (!isRecord(item)) {
      issues.push({ path: at, message: 'expected { code or name, value, always? }' });
      return;
    }
    for (const k of Object.keys(item)) {
      if (!(KNOWN_FIELDS.option as readonly string[]).includes(k)) {
        const guess = didYouMean(k, KNOWN_FIELDS.option);
        issues.push({ path: [...at, k], message: `unknown field "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}` });
      }
    }
    const { code, name, value, hex, always } = item;
    if ((code === undefined) === (name === undefined)) {
      issues.push({ path: at, message: 'give exactly one of code or name' });
      return;
    }
    if ((value === undefined) === (hex === undefined)) {
      issues.push({ path: at, message: 'give exactly one of value or hex' });
      return;
    }
    if (always !== undefined && typeof always !== 'boolean') {
      issues.push({ path: [...at, 'always'], message: 'expected true or false' });
      return;
    }
    const key = code ?? name;
    if (typeof key !== 'string' && typeof key !== 'number') {
      issues.push({ path: [...at, code === undefined ? 'name' : 'code'], message: 'expected an option code or name' });
      return;
    }
    out.push({
      key,
      keyPath: [...at, code === undefined ? 'name' : 'code'],
      ...(hex === undefined ? { value } : { hex }),
      valuePath: [...at, hex === undefined ? 'value' : 'hex'],
      always: always === true,
    });
  });
  return out;
}

function entriesOfMap(map: Record<string, unknown>, base: FieldPath): Entry[] {
  return Object.entries(map).map(([key, value]) => ({
    key,
    keyPath: [...base, key],
    value,
    valuePath: [...base, key],
    always: false,
  }));
}

/**
 * Checks and encodes an `options` value found at `base`. `inClass` relaxes the
 * dedicated-field rule to the boot options (a class has no router/dns fields).
 */
export function parseOptionsField(
  raw: unknown,
  base: FieldPath,
  inClass: boolean,
): { options: ScopeOption[]; issues: PathIssue[] } {
  const issues: PathIssue[] = [];
  if (raw === undefined || raw === null) return { options: [], issues };
  let entries: Entry[];
  if (Array.isArray(raw)) entries = entriesOfList(raw, base, issues);
  else if (isRecord(raw)) entries = entriesOfMap(raw, base);
  else {
    issues.push({ path: base, message: 'expected a list of { code or name, value } or a map of name: value' });
    return { options: [], issues };
  }
  const options: ScopeOption[] = [];
  const seen = new Map<number, FieldPath>();
  for (const e of entries) {
    const def = lookup(e.key, e.keyPath, issues);
    if (!def) continue;
    const dedicated = DEDICATED_FIELDS.get(def.code);
    if (dedicated && (!inClass || CLASS_DEDICATED.has(def.code))) {
      const field = inClass ? `${dedicated} in this class` : dedicated;
      issues.push({ path: e.keyPath, message: `${describeOption(def)} has its own field: set ${field} instead` });
      continue;
    }
    if (!def.configurable) {
      issues.push({ path: e.keyPath, message: `${describeOption(def)} is set by benchboot itself and cannot be configured` });
      continue;
    }
    if (seen.has(def.code)) {
      issues.push({ path: e.keyPath, message: `${describeOption(def)} is given twice` });
      continue;
    }
    seen.set(def.code, e.keyPath);
    const data = encodeEntry(def, e, issues);
    if (data) options.push({ code: def.code, data, always: e.always });
  }
  return { options, issues };
}

function encodeEntry(def: OptionDef, e: Entry, issues: PathIssue[]): Uint8Array | undefined {
  try {
    if (e.hex !== undefined) {
      if (typeof e.hex !== 'string') throw new RangeError(`${describeOption(def)}: hex must be text such as "0a0b0c"`);
      const bytes = fromHex(e.hex);
      if (bytes.length === 0) throw new RangeError(`${describeOption(def)}: empty hex value`);
      return bytes;
    }
    return encodeOptionValue(def, e.value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    issues.push({ path: e.valuePath, message: err.message });
    return undefined;
  }
}
