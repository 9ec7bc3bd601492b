/**
 * The inventory file at the product edge: inventory issues become a BenchbootError
 * (BB_INVENTORY, or BB_DEVICE_NOT_FOUND when the only problem is a device that is
 * not there) that carries every issue, and `loadInventoryIndex` reads a file for
 * `serve`, `reload` and `render`, refusing it with every issue at file:line:column.
 */
import { BenchbootError } from '../errors.js';
import { formatInventoryIssues, InventoryError, InventoryIndex, readInventoryFile, type InventoryIssue } from '../inventory/index.js';
import { profileIds } from '../profiles/index.js';

/** A BenchbootError listing inventory issues (also on `.issues`, for `--json`). */
export class InventoryIssuesError extends BenchbootError {
  readonly issues: readonly InventoryIssue[];

  /** `lead` goes before the summary, e.g. "nothing written". */
  constructor(issues: readonly InventoryIssue[], lead?: string, options?: { cause?: unknown }) {
    const notFound = issues.length > 0 && issues.every((i) => i.kind === 'not-found');
    const files = [...new Set(issues.map((i) => i.file))].join(', ');
    const head = `${issues.length} issue${issues.length === 1 ? '' : 's'} in ${files}`;
    super(notFound ? 'BB_DEVICE_NOT_FOUND' : 'BB_INVENTORY', `${lead ? `${lead}: ` : ''}${head}:\n${formatInventoryIssues(issues)}`, options);
    this.name = 'InventoryIssuesError';
    this.issues = issues;
  }
}

/** Runs `work`; an InventoryError from it becomes an InventoryIssuesError with `lead`. */
export async function withInventoryIssues<T>(work: () => Promise<T>, lead?: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof InventoryError) throw new InventoryIssuesError(err.issues, err.issues.some((i) => i.kind === 'io') ? undefined : lead, { cause: err });
    throw err;
  }
}

/** Reads and checks an inventory file (profiles checked against the built-in ones); throws InventoryIssuesError with every issue. */
export async function loadInventoryIndex(path: string): Promise<InventoryIndex> {
  const { inventory, issues } = await withInventoryIssues(() => readInventoryFile(path, { profileIds: profileIds() }));
  if (issues.length > 0) throw new InventoryIssuesError(issues);
  return new InventoryIndex(inventory);
}
