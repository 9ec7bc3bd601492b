/**
 * One edit of a YAML inventory through the yaml Document API, so comments, key order
 * and the style of untouched rows are kept: a changed row gets its keys set (new keys
 * at its end) or deleted, a removed row leaves the list, a new row is appended.
 */
import { isMap, YAMLSeq, type Document } from 'yaml';
import { resolveColumn } from './columns.js';
import { readYamlInventory } from './yaml-source.js';
import type { CellChanges } from './edit-csv.js';

function text(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}

/** The list to append to: the existing one, or a new `devices:` list in an empty file. */
function listFor(doc: Document, seq: YAMLSeq | undefined): YAMLSeq {
  if (seq !== undefined) return seq;
  const created = new YAMLSeq();
  if (isMap(doc.contents)) doc.contents.set('devices', created);
  else doc.contents = doc.createNode({ devices: created });
  return created;
}

/** Appends a row. */
export function addYamlRow(source: string, file: string, cells: CellChanges): string {
  const src = readYamlInventory(source, file);
  const row: Record<string, string> = {};
  for (const [name, value] of Object.entries(cells)) if (value !== null) row[resolveColumn(src.table.columns, name) ?? name] = value;
  listFor(src.doc, src.seq).add(src.doc.createNode(row));
  return text(src.doc);
}

/** Changes keys of the `index`-th row (of the table's records). */
export function setYamlRow(source: string, file: string, index: number, changes: CellChanges): string {
  const src = readYamlInventory(source, file);
  const at = src.recordIndexes[index];
  const item = at === undefined ? undefined : src.seq?.items[at];
  if (!isMap(item)) return source;
  const rec = src.table.records[index];
  const own = rec ? [...rec.cells.keys()] : [];
  for (const [name, value] of Object.entries(changes)) {
    const key = resolveColumn(own, name) ?? resolveColumn(src.table.columns, name) ?? name;
    if (value === null) item.delete(key);
    else item.set(key, value);
  }
  return text(src.doc);
}

/** Removes the `index`-th row. */
export function removeYamlRow(source: string, file: string, index: number): string {
  const src = readYamlInventory(source, file);
  const at = src.recordIndexes[index];
  if (at === undefined || src.seq === undefined) return source;
  src.seq.delete(at);
  return text(src.doc);
}
