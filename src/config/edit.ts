/**
 * Edits to a scope file's YAML document, made through yaml's Document API so that a
 * file the technician wrote keeps its comments, key order and layout when
 * `benchboot scope set` changes one field. Pure: text in, text out; write.ts puts
 * the result on disk after validation.
 */
import { Document, isMap, isScalar, isSeq, parseDocument, type YAMLSeq } from 'yaml';
import { findOption } from '../dhcp/options/registry.js';
import { isMac, parseMac } from '../net/ipv4.js';
import type { FieldPath } from './issues.js';

/** One change to a scope document. */
export type ScopeEdit =
  /** Set a field (creating parent maps), e.g. `['boot', 'file']`. */
  | { readonly kind: 'set'; readonly path: FieldPath; readonly value: unknown }
  /** Remove a field; a parent map left empty is removed too. */
  | { readonly kind: 'unset'; readonly path: FieldPath }
  /** Set a DHCP option by code or name, replacing an entry for the same option. */
  | { readonly kind: 'option'; readonly key: string; readonly value: unknown }
  /** Remove a DHCP option by code or name. */
  | { readonly kind: 'unset-option'; readonly key: string }
  /** Reserve an address for a MAC, replacing a reservation of the same MAC. */
  | { readonly kind: 'reserve'; readonly mac: string; readonly ip: string; readonly hostname?: string }
  /** Remove the reservation of a MAC. */
  | { readonly kind: 'unreserve'; readonly mac: string };

/** A document for a new scope file, starting with a comment saying where it came from. */
export function newScopeDocument(name: string, comment: string): Document {
  const doc = new Document({ name });
  doc.commentBefore = ` ${comment}`;
  return doc;
}

/** The text of a scope document (flow lists written `[a, b]` as people type them). */
export function scopeDocumentText(doc: Document): string {
  return doc.toString({ flowCollectionPadding: false, lineWidth: 0 });
}

/**
 * Sets a value, keeping the comments attached to the node it replaces: a scalar
 * is changed in place, a collection takes over the old node's comments.
 */
function setKeepingComments(doc: Document, path: FieldPath, value: unknown): void {
  const old = doc.getIn(path, true);
  const isPlain = value === null || ['string', 'number', 'boolean'].includes(typeof value);
  if (isScalar(old) && isPlain) {
    old.value = value;
    return;
  }
  const node = doc.createNode(value);
  if (old !== null && typeof old === 'object' && 'comment' in old) {
    const o = old as { comment?: string | null; commentBefore?: string | null };
    if (o.comment) node.comment = o.comment;
    if (o.commentBefore) node.commentBefore = o.commentBefore;
  }
  doc.setIn(path, node);
}

/** Parses scope-file text into a document that keeps comments. */
export function parseScopeDocument(text: string): Document {
  return parseDocument(text, { uniqueKeys: true });
}

function optionCode(key: unknown): number | undefined {
  if (typeof key !== 'string' && typeof key !== 'number') return undefined;
  return findOption(typeof key === 'string' ? key.trim() : key)?.code;
}

function sameMac(a: unknown, b: string): boolean {
  return typeof a === 'string' && isMac(a) && isMac(b) && parseMac(a) === parseMac(b);
}

/** The options node: a list of entries or a map of name: value. */
function setOption(doc: Document, key: string, value: unknown): void {
  const code = optionCode(key);
  const node = doc.get('options', true);
  if (isMap(node)) {
    const pair = node.items.find((p) => optionCode(isScalar(p.key) ? p.key.value : p.key) === code);
    if (pair) setKeepingComments(doc, ['options', isScalar(pair.key) ? String(pair.key.value) : String(pair.key)], value);
    else node.set(doc.createNode(key), doc.createNode(value));
    return;
  }
  const entry = { [/^\d+$/.test(key) ? 'code' : 'name']: /^\d+$/.test(key) ? Number(key) : key, value };
  if (isSeq(node)) {
    const index = node.items.findIndex((item) => isMap(item) && optionCode(item.get('code') ?? item.get('name')) === code);
    const existing = index >= 0 ? node.items[index] : undefined;
    if (isMap(existing)) {
      existing.delete('hex');
      setKeepingComments(doc, ['options', index, 'value'], value);
    } else node.add(doc.createNode(entry));
    return;
  }
  doc.set('options', doc.createNode([entry]));
}

function unsetOption(doc: Document, key: string): boolean {
  const code = optionCode(key);
  const node = doc.get('options', true);
  let removed = false;
  if (isMap(node)) {
    const before = node.items.length;
    node.items = node.items.filter((p) => optionCode(isScalar(p.key) ? p.key.value : p.key) !== code);
    removed = node.items.length < before;
  } else if (isSeq(node)) {
    const before = node.items.length;
    node.items = node.items.filter((item) => !(isMap(item) && optionCode(item.get('code') ?? item.get('name')) === code));
    removed = node.items.length < before;
  }
  dropIfEmpty(doc, ['options']);
  return removed;
}

function reservationsSeq(doc: Document): YAMLSeq | undefined {
  const node = doc.get('reservations', true);
  return isSeq(node) ? node : undefined;
}

function reserve(doc: Document, mac: string, ip: string, hostname: string | undefined): void {
  const seq = reservationsSeq(doc);
  const existing = seq?.items.find((item) => isMap(item) && sameMac(item.get('mac'), mac));
  if (isMap(existing)) {
    existing.set('ip', ip);
    if (hostname === undefined) existing.delete('hostname');
    else existing.set('hostname', hostname);
    return;
  }
  const entry = hostname === undefined ? { mac, ip } : { mac, ip, hostname };
  if (seq) seq.add(doc.createNode(entry));
  else doc.set('reservations', doc.createNode([entry]));
}

function unreserve(doc: Document, mac: string): boolean {
  const seq = reservationsSeq(doc);
  if (!seq) return false;
  const before = seq.items.length;
  seq.items = seq.items.filter((item) => !(isMap(item) && sameMac(item.get('mac'), mac)));
  dropIfEmpty(doc, ['reservations']);
  return seq.items.length < before;
}

function dropIfEmpty(doc: Document, path: FieldPath): void {
  const node = doc.getIn(path, true);
  if ((isMap(node) || isSeq(node)) && node.items.length === 0) doc.deleteIn(path);
}

/**
 * Applies edits in order. Returns the edits that found nothing to remove (an
 * `unset` of an absent field, ...), so the caller can say so.
 */
export function applyScopeEdits(doc: Document, edits: readonly ScopeEdit[]): ScopeEdit[] {
  const noop: ScopeEdit[] = [];
  for (const e of edits) {
    switch (e.kind) {
      case 'set':
        setKeepingComments(doc, e.path, e.value);
        break;
      case 'unset':
        if (!doc.hasIn(e.path)) noop.push(e);
        doc.deleteIn(e.path);
        if (e.path.length > 1) dropIfEmpty(doc, e.path.slice(0, -1));
        break;
      case 'option':
        setOption(doc, e.key, e.value);
        break;
      case 'unset-option':
        if (!unsetOption(doc, e.key)) noop.push(e);
        break;
      case 'reserve':
        reserve(doc, e.mac, e.ip, e.hostname);
        break;
      case 'unreserve':
        if (!unreserve(doc, e.mac)) noop.push(e);
        break;
    }
  }
  return noop;
}
