/**
 * The effective scope written back in the scope-file format, with every default
 * filled in: what `benchboot scope show` prints (YAML, or JSON with --json). The
 * YAML is itself a valid scope file.
 */
import { Document, isMap, isScalar } from 'yaml';
import { findOption } from '../dhcp/options/registry.js';
import { decodeOptionValue, type OptionValue } from '../dhcp/options/value.js';
import { DecodeError, toHex } from '../net/bytes.js';
import { formatCidr } from '../net/ipv4.js';
import { formatRange } from './defaults.js';
import { formatDuration } from './duration.js';
import type { BootData, ClientClass, Scope, ScopeOption } from './scope.js';

/** A JSON-compatible value. */
export type PlainValue = string | number | boolean | null | readonly PlainValue[] | { readonly [key: string]: PlainValue };

type Plain = Record<string, PlainValue>;

function optionToPlain(o: ScopeOption): Plain {
  const def = findOption(o.code);
  const raw = (): Plain => (o.always ? { code: o.code, hex: toHex(o.data), always: true } : { code: o.code, hex: toHex(o.data) });
  if (!def || def.type === 'hex') return raw();
  let value: OptionValue;
  try {
    value = decodeOptionValue(def, o.data);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return raw();
  }
  const plain = JSON.parse(JSON.stringify(value)) as PlainValue;
  return o.always ? { name: def.name, value: plain, always: true } : { name: def.name, value: plain };
}

/** A class's overrides: only what is set. */
function bootToPlain(b: Partial<BootData>): Plain {
  const out: Plain = {};
  if (b.nextServer !== undefined) out['nextServer'] = b.nextServer;
  if (b.serverName !== undefined) out['serverName'] = b.serverName;
  if (b.tftpServerName !== undefined) out['tftpServerName'] = b.tftpServerName;
  if (b.tftpServers !== undefined && b.tftpServers.length > 0) out['tftpServers'] = [...b.tftpServers];
  if (b.file !== undefined) out['file'] = b.file;
  return out;
}

/** The scope's boot block: what is not sent shows as null / [] so the YAML reads back the same. */
function scopeBootToPlain(b: BootData): Plain {
  const out: Plain = { nextServer: b.nextServer ?? null };
  if (b.serverName !== undefined) out['serverName'] = b.serverName;
  out['tftpServerName'] = b.tftpServerName ?? null;
  out['tftpServers'] = [...b.tftpServers];
  if (b.file !== undefined) out['file'] = b.file;
  return out;
}

function classToPlain(c: ClientClass): Plain {
  const match: Plain = {};
  if (c.match.vendorClass !== undefined) match['vendorClass'] = c.match.vendorClass;
  if (c.match.userClass !== undefined) match['userClass'] = c.match.userClass;
  if (c.match.arch !== undefined) match['arch'] = [...c.match.arch];
  const out: Plain = { name: c.name, match };
  const boot = bootToPlain(c.boot);
  if (Object.keys(boot).length > 0) out['boot'] = boot;
  if (c.options.length > 0) out['options'] = c.options.map(optionToPlain);
  if (c.profiles !== undefined) out['profiles'] = [...c.profiles];
  return out;
}

/** The effective scope as plain data in scope-file field names (for JSON output). */
export function scopeToPlain(scope: Scope): Plain {
  const out: Plain = {
    name: scope.name,
    interface: scope.interface,
    subnet: formatCidr(scope.subnet),
    range: scope.ranges.map(formatRange),
  };
  if (scope.router !== undefined) out['router'] = scope.router;
  out['dns'] = [...scope.dns];
  if (scope.domain !== undefined) out['domain'] = scope.domain;
  out['leaseTime'] = formatDuration(scope.leaseSeconds);
  out['declineTime'] = formatDuration(scope.declineSeconds);
  out['authoritative'] = scope.authoritative;
  out['boot'] = scopeBootToPlain(scope.boot);
  out['reservations'] = scope.reservations.map((r) => {
    const item: Plain = {};
    if (r.mac !== undefined) item['mac'] = r.mac;
    if (r.clientId !== undefined) item['clientId'] = toHex(r.clientId);
    item['ip'] = r.ip;
    if (r.hostname !== undefined) item['hostname'] = r.hostname;
    return item;
  });
  if (scope.profiles !== undefined) out['profiles'] = [...scope.profiles];
  out['options'] = scope.options.map(optionToPlain);
  out['classes'] = scope.classes.map(classToPlain);
  return out;
}

/** Boot fields that hold a default a vendor profile may replace or withhold (set in the file, a field goes to every device). */
const DEFAULTED_FIELDS: ReadonlyMap<string, number> = new Map([
  ['tftpServerName', 66],
  ['tftpServers', 150],
]);

/** The effective scope as YAML in the scope-file format, defaults filled in. */
export function formatScope(scope: Scope): string {
  const head = scope.source ? `# effective scope from ${scope.source} (defaults filled in)\n` : '# effective scope (defaults filled in)\n';
  const doc = new Document(scopeToPlain(scope));
  const profiled = scope.profiles !== undefined || scope.classes.some((c) => c.profiles !== undefined);
  const boot = doc.get('boot', true);
  if (profiled && isMap(boot)) {
    for (const pair of boot.items) {
      const code = isScalar(pair.key) ? DEFAULTED_FIELDS.get(String(pair.key.value)) : undefined;
      if (code !== undefined && isScalar(pair.key) && (scope.defaultedOptions ?? []).includes(code)) {
        pair.key.commentBefore = ' default: a vendor profile may replace or withhold it (set in the file, it goes to every device)';
      }
    }
  }
  return head + doc.toString({ lineWidth: 0 });
}
