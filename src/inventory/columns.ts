/**
 * What the columns of an inventory mean. A few names have a meaning (identity, `ip`,
 * `hostname`, `profile`, `expects`); every other column is a template variable.
 * Meaning columns are recognised whatever their case and separator (`Client_ID`,
 * `clientId` and `client-id` are one column). Also the rule that marks a column secret.
 */

/** The columns with a meaning, in their canonical spelling. */
export const MEANING_COLUMNS = ['mac', 'serial', 'client-id', 'ip', 'hostname', 'profile', 'expects'] as const;

/** A column with a meaning. */
export type MeaningColumn = (typeof MEANING_COLUMNS)[number];

/** The identity columns: at least one per row. */
export const IDENTITY_COLUMNS = ['mac', 'client-id', 'serial'] as const satisfies readonly MeaningColumn[];

function squash(name: string): string {
  return name.trim().toLowerCase().replace(/[-_\s]/g, '');
}

/** The meaning column a header names (`Client_ID` → `client-id`), or undefined for a variable. */
export function meaningOf(header: string): MeaningColumn | undefined {
  const s = squash(header);
  return MEANING_COLUMNS.find((m) => squash(m) === s);
}

/** Whole words that mark a secret column. */
const SECRET_WORDS: ReadonlySet<string> = new Set(['password', 'passwd', 'pass', 'pwd', 'secret', 'pin', 'key', 'psk', 'token']);
/** Fragments that mark a secret column wherever they appear (no ordinary word contains them). */
const SECRET_FRAGMENTS = ['password', 'passwd', 'secret'] as const;

/** The words of a column name: split at `-`, `_`, `.`, spaces, digits and camelCase humps. */
export function columnWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w !== '');
}

/**
 * True when a column holds a secret, so that logs and views never show it (templates
 * still get it: a phone config needs its SIP password). The rule, case-insensitive:
 * the name contains `password`, `passwd` or `secret` anywhere (`sippassword`,
 * `line1_secret`), or one of its words (split at `-`, `_`, `.`, spaces, digits and
 * camelCase) is `pass`, `pwd`, `pin`, `key`, `psk` or `token` (`voicemail_pin`,
 * `apiKey`, `wifi-psk`), so that `keypad`, `spinner` or `monkey` stay plain.
 */
export function isSecretColumn(name: string): boolean {
  const lower = name.toLowerCase();
  if (SECRET_FRAGMENTS.some((f) => lower.includes(f))) return true;
  return columnWords(name).some((w) => SECRET_WORDS.has(w));
}

/**
 * The existing column a name typed by the user means: the same name, else the same
 * meaning column (`client_id` for `client-id`), else the same name ignoring case;
 * undefined for a new column.
 */
export function resolveColumn(columns: readonly string[], name: string): string | undefined {
  const t = name.trim();
  if (columns.includes(t)) return t;
  const meaning = meaningOf(t);
  if (meaning !== undefined) {
    const same = columns.find((c) => meaningOf(c) === meaning);
    if (same !== undefined) return same;
  }
  return columns.find((c) => c.toLowerCase() === t.toLowerCase());
}
