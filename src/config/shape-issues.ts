/**
 * The shape step of scope validation: the schema's (zod) complaints turned into
 * issues in the file's words, and the fields whose own shape is fine picked out so
 * that the relation rules still run on them.
 */
import type { z } from 'zod';
import { didYouMean, type FieldPath } from './issues.js';
import type { PathIssue } from './options-field.js';
import { KNOWN_FIELDS, classSchema, mapKindAt, reservationSchema, scopeFileSchema, type ClassFile, type ReservationFile, type ScopeFile } from './schema.js';

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map of fields (key: value)',
};

function valueAt(data: unknown, path: FieldPath): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** A found value as an issue names it. */
export function describeValue(v: unknown): string {
  if (v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `"${v}"`;
  return String(v);
}

/** The schema's complaints as issues in the file's words (unknown fields with a guess, expected types). */
export function shapeIssues(data: unknown, error: z.ZodError): PathIssue[] {
  const out: PathIssue[] = [];
  for (const iss of error.issues) {
    const path = iss.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (iss.code === 'unrecognized_keys') {
      const known = KNOWN_FIELDS[mapKindAt(path)];
      for (const key of iss.keys) {
        const guess = didYouMean(key, known);
        const hint = guess ? ` (did you mean "${guess}"?)` : ` (known fields: ${known.join(', ')})`;
        out.push({ path: [...path, key], message: `unknown field "${key}"${hint}` });
      }
    } else if (iss.code === 'invalid_type') {
      const found = valueAt(data, path);
      const want = TYPE_WORDS[iss.expected] ?? iss.expected;
      out.push({
        path,
        message: found === undefined ? 'is required' : `expected ${want}, found ${describeValue(found)}`,
      });
    } else if (iss.code === 'too_small' && iss.origin === 'array') {
      out.push({ path, message: 'must not be an empty list' });
    } else {
      out.push({ path, message: iss.message });
    }
  }
  return out;
}

/** The fields (and list items) whose own shape is fine, so relations can still be checked. */
export interface PartialScope {
  readonly fields: Partial<ScopeFile>;
  readonly reservations: readonly (ReservationFile | undefined)[];
  readonly classes: readonly (ClassFile | undefined)[];
}

/** Each field and list item parsed on its own, keeping the ones whose shape is fine. */
export function partialParse(data: Record<string, unknown>): PartialScope {
  const fields: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(scopeFileSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(data[key]);
    if (r.success && r.data !== undefined) fields[key] = r.data;
  }
  const items = <T>(raw: unknown, schema: z.ZodType<T>): (T | undefined)[] =>
    Array.isArray(raw) ? raw.map((x: unknown) => {
      const r = schema.safeParse(x);
      return r.success ? r.data : undefined;
    }) : [];
  return {
    fields: fields as Partial<ScopeFile>,
    reservations: items(data['reservations'], reservationSchema),
    classes: items(data['classes'], classSchema),
  };
}
