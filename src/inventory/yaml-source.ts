/**
 * Reads inventory YAML into a RawTable: either a list of rows or a map with a
 * `devices:` list, each row a map of column to value. The failsafe schema keeps every
 * value as the text typed (`pin: 0042` stays `0042`, a bare `001122334455` MAC is not
 * a number). Positions are those of each key, so an issue points at the field.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { meaningOf } from './columns.js';
import type { InventoryIssue } from './issues.js';
import { issueAt, type CellPosition, type RawCell, type RawRecord, type RawTable } from './raw-table.js';

/** A YAML file read into a table, with its document kept for editing. */
export interface YamlSource {
  readonly table: RawTable;
  readonly doc: Document;
  /** The list of rows in the document, if it has one. */
  readonly seq: YAMLSeq | undefined;
  /** Index in `seq` of each record of `table.records`. */
  readonly recordIndexes: readonly number[];
}

function positionOf(node: unknown, lc: LineCounter): CellPosition {
  if (node === null || typeof node !== 'object' || !('range' in node)) return { line: 0, column: 0 };
  const range = (node as Node).range;
  if (!range) return { line: 0, column: 0 };
  const p = lc.linePos(range[0]);
  return { line: p.line, column: p.col };
}

/** Finds the list of rows: the document itself or its `devices:` entry. */
function rowList(doc: Document, file: string, issues: InventoryIssue[]): YAMLSeq | undefined {
  const top = doc.contents;
  if (top === null || (isScalar(top) && (top.value === null || top.value === ''))) return undefined;
  if (isSeq(top)) return top;
  if (isMap(top)) {
    const devices = top.get('devices', true);
    if (isSeq(devices)) return devices;
    if (top.has('devices') && (devices === null || (isScalar(devices) && (devices.value === null || devices.value === '')))) return undefined;
  }
  issues.push(issueAt(file, 'syntax', { line: 1, column: 1 }, '', 'expected a list of devices, or a map with a "devices:" list'));
  return undefined;
}

function cellValue(value: unknown, field: string, file: string, pos: CellPosition, issues: InventoryIssue[]): RawCell['value'] | undefined {
  if (value === null || value === undefined) return '';
  if (isScalar(value)) return value.value === null ? '' : String(value.value);
  if (meaningOf(field) === 'expects' && isSeq(value) && value.items.every((i) => isScalar(i))) return value.items.map((i) => (isScalar(i) ? String(i.value) : ''));
  issues.push(issueAt(file, 'bad-value', pos, field, 'expected a single value (or, for expects, a list of file names)'));
  return undefined;
}

function readRow(item: unknown, file: string, lc: LineCounter, columns: string[], issues: InventoryIssue[]): RawRecord | undefined {
  const pos = positionOf(item, lc);
  if (!isMap(item)) {
    issues.push(issueAt(file, 'syntax', pos, '', 'each device must be a map of column: value'));
    return undefined;
  }
  const cells = new Map<string, RawCell>();
  for (const pair of (item as YAMLMap).items as Pair[]) {
    const keyPos = positionOf(pair.key, lc);
    const name = isScalar(pair.key) ? String(pair.key.value).trim() : '';
    if (name === '') {
      issues.push(issueAt(file, 'bad-header', keyPos, '', 'a column name must be plain text'));
      continue;
    }
    const value = cellValue(pair.value, name, file, keyPos, issues);
    if (value === undefined) continue;
    if (!columns.includes(name)) columns.push(name);
    cells.set(name, { value, pos: keyPos });
  }
  const endLine = item.range ? lc.linePos(Math.max(item.range[0], item.range[1] - 1)).line : pos.line;
  return { line: pos.line, endLine, column: pos.column, cells };
}

/** Parses YAML text into a document with the failsafe schema (every value is text). */
export function parseInventoryDocument(text: string): { doc: Document; lc: LineCounter } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  return { doc, lc };
}

/** Reads YAML inventory text. */
export function readYamlInventory(text: string, file: string): YamlSource {
  const { doc, lc } = parseInventoryDocument(text);
  const issues: InventoryIssue[] = [];
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    issues.push(issueAt(file, 'syntax', { line: p.line, column: p.col }, '', e.message.split('\n')[0] ?? e.message));
  }
  const columns: string[] = [];
  const records: RawRecord[] = [];
  const recordIndexes: number[] = [];
  const seq = issues.length === 0 ? rowList(doc, file, issues) : undefined;
  seq?.items.forEach((item, index) => {
    const rec = readRow(item, file, lc, columns, issues);
    if (rec) {
      records.push(rec);
      recordIndexes.push(index);
    }
  });
  return { table: { format: 'yaml', file, columns, records, issues }, doc, seq, recordIndexes };
}
