/**
 * Two inputs of a render that the resolver tracks beside the template and the row:
 * the names in the served tree (the `files` variable, with a version for the render
 * cache) and the facts of the asking context (scope, server, the requester's vendor
 * class and model), interned to small numbers for the render cache key.
 */
import type { RequesterFacts, ScopeFacts, ServerFacts } from '../templates/index.js';
import { TEMPLATE_SUFFIX } from '../templates/index.js';
import type { ProvisionFiles } from './files.js';

/** The names of the locations' top directories, templates left out, and their version. */
export class TreeNames {
  constructor(
    private readonly files: ProvisionFiles,
    private readonly locations: readonly string[],
  ) {}

  /** Every file name of every location once, sorted; the version grows when any location's names change. */
  async names(): Promise<{ names: string[]; version: number }> {
    const all = new Set<string>();
    let version = 0;
    for (const dir of this.locations) {
      const listing = await this.files.list(dir);
      version = Math.max(version, listing.version);
      for (const name of listing.names) if (!name.endsWith(TEMPLATE_SUFFIX)) all.add(name);
    }
    return { names: [...all].sort(), version };
  }
}

/** Most distinct contexts kept before the numbering starts over. */
const MAX_CONTEXTS = 4096;

/** Numbers each distinct (scope, server, requester) context, for render cache keys. */
export class RequesterContexts {
  private readonly ids = new Map<string, number>();
  private next = 1;

  /** The number of this context; the same facts always get the same number until `clear`. */
  idOf(scope: ScopeFacts, server: ServerFacts, requester: RequesterFacts): number {
    const key = JSON.stringify([scope, server, requester.vendorClass ?? null, requester.model ?? null, requester.mac ?? null]);
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    if (this.ids.size >= MAX_CONTEXTS) this.ids.clear();
    const id = this.next++;
    this.ids.set(key, id);
    return id;
  }

  /** Forgets every number (reload); new numbers never reuse old ones. */
  clear(): void {
    this.ids.clear();
  }
}
