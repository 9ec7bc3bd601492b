/**
 * One device of the inventory as the rest of benchboot sees it: its identities in
 * canonical form, its reservation address, host name and profile, the files it is
 * expected to fetch, and every cell as typed (the template variables). Built from a
 * RawRecord by checking each meaning cell; problems become issues with the cell's
 * position.
 */
import { createHash } from 'node:crypto';
import { isIpv4, type Ipv4, type MacAddress } from '../net/ipv4.js';
import { meaningOf, type MeaningColumn } from './columns.js';
import type { InventoryIssue } from './issues.js';
import { readMac } from './mac-spelling.js';
import { issueAt, type CellPosition, type RawCell, type RawRecord } from './raw-table.js';

/** One device row, checked. */
export interface DeviceRow {
  /** Line the row starts on (for messages). */
  readonly line: number;
  /** Canonical MAC (`00:1b:d4:aa:bb:cc`), learned from chaddr. */
  readonly mac?: MacAddress;
  /** Client identifier as lower-case hex of the option 61 bytes (RFC 2132 §9.14). */
  readonly clientId?: string;
  /** Serial number as typed (compared ignoring case). */
  readonly serial?: string;
  /** Reserved address. */
  readonly ip?: Ipv4;
  /** Host name (option 12). */
  readonly hostname?: string;
  /** Profile forced for this device. */
  readonly profile?: string;
  /** File names whose fetch means this device is provisioned. */
  readonly expects: readonly string[];
  /** Every cell by column name as written in the file (lists joined with `;`); secrets included. */
  readonly cells: Readonly<Record<string, string>>;
  /** Where each cell is in the file, by column name (for messages about the row). */
  readonly positions: Readonly<Record<string, CellPosition>>;
  /** A hash of the cells: changes whenever the row does (render cache key). */
  readonly version: string;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** True for a host name of RFC 1123 labels (letters, digits, inner hyphens; 63 per label, 253 in all). */
export function isHostname(text: string): boolean {
  return text.length > 0 && text.length <= 253 && text.split('.').every((l) => LABEL.test(l));
}

/** The option 61 bytes of a client-id typed as hex (separators `:`, `-`, `.`, spaces allowed), lower-case, or undefined. */
export function readClientId(text: string): string | undefined {
  const hex = text.trim().replace(/[:.\s-]/g, '').toLowerCase();
  return /^([0-9a-f]{2}){2,255}$/.test(hex) ? hex : undefined;
}

/** The list of an `expects` cell: YAML list items, or CSV text split at `;` and white space. */
export function readExpects(value: RawCell['value']): string[] {
  const items = typeof value === 'string' ? value.split(/[;\s]+/) : value;
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

type Meaning = Partial<Record<MeaningColumn, RawCell>>;

function meaningCells(rec: RawRecord): Meaning {
  const out: Meaning = {};
  for (const [name, cell] of rec.cells) {
    const m = meaningOf(name);
    if (m !== undefined) out[m] = cell;
  }
  return out;
}

function text(cell: RawCell | undefined): string {
  if (cell === undefined) return '';
  return typeof cell.value === 'string' ? cell.value.trim() : cell.value.join(';');
}

interface Checker {
  readonly file: string;
  readonly issues: InventoryIssue[];
  readonly profileIds: ReadonlySet<string> | undefined;
}

function check<T>(c: Checker, cell: RawCell | undefined, field: MeaningColumn, read: (t: string) => T | undefined, problem: [InventoryIssue['kind'], (t: string) => string]): T | undefined {
  const t = text(cell);
  if (cell === undefined || t === '') return undefined;
  const value = read(t);
  if (value === undefined) c.issues.push(issueAt(c.file, problem[0], cell.pos, field, problem[1](t)));
  return value;
}

function checkMeanings(c: Checker, m: Meaning): Omit<DeviceRow, 'line' | 'expects' | 'cells' | 'positions' | 'version'> {
  const mac = check(c, m.mac, 'mac', readMac, ['bad-mac', (t) => `"${t}" is not a MAC address (e.g. 00:1b:d4:aa:bb:cc, 001BD4AABBCC, 001b.d4aa.bbcc)`]);
  const clientId = check(c, m['client-id'], 'client-id', readClientId, ['bad-client-id', (t) => `"${t}" is not a client identifier (hex bytes of option 61, at least 2, e.g. 01001bd4aabbcc)`]);
  const serial = check(c, m.serial, 'serial', (t) => (/^[\x21-\x7e]+$/.test(t) ? t : undefined), ['bad-serial', (t) => `"${t}" is not a serial number (printable characters without spaces)`]);
  const ip = check(c, m.ip, 'ip', (t) => (isIpv4(t) ? (t as Ipv4) : undefined), ['bad-ip', (t) => `"${t}" is not an IPv4 address (expected a dotted quad like 10.0.0.1)`]);
  const hostname = check(c, m.hostname, 'hostname', (t) => (isHostname(t) ? t : undefined), ['bad-hostname', (t) => `"${t}" is not a host name (letters, digits and inner hyphens, dot-separated labels of at most 63)`]);
  const known = c.profileIds;
  const profile = check(c, m.profile, 'profile', (t) => (known === undefined || known.has(t) ? t : undefined), ['unknown-profile', (t) => `unknown profile "${t}" (known: ${[...(known ?? [])].join(', ')})`]);
  return { mac, clientId, serial, ip, hostname, profile };
}

/** Checks one record; pushes its issues and returns the row (invalid cells left out). */
export function checkRecord(rec: RawRecord, file: string, issues: InventoryIssue[], profileIds?: ReadonlySet<string>): DeviceRow {
  const c: Checker = { file, issues, profileIds };
  const m = meaningCells(rec);
  if (text(m.mac) === '' && text(m['client-id']) === '' && text(m.serial) === '') {
    issues.push(issueAt(file, 'missing-identity', { line: rec.line, column: rec.column }, '', 'the row has no identity: give a mac, a client-id or a serial'));
  }
  const meanings = checkMeanings(c, m);
  const cells: Record<string, string> = {};
  const positions: Record<string, CellPosition> = {};
  for (const [name, cell] of rec.cells) {
    cells[name] = typeof cell.value === 'string' ? cell.value : cell.value.join(';');
    positions[name] = cell.pos;
  }
  const expects = m.expects ? readExpects(m.expects.value) : [];
  const version = createHash('sha256').update(JSON.stringify(Object.entries(cells))).digest('hex').slice(0, 16);
  return { line: rec.line, ...meanings, expects, cells, positions, version };
}
