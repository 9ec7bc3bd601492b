/**
 * Where the appliance's scopes come from: the scope files of a directory, or a
 * scope derived from each served interface's address (zero-config). The source is
 * asked at start and again at every reload.
 */
import { deriveScope } from '../config/defaults.js';
import { loadScopes } from '../config/load.js';
import type { Scope } from '../config/scope.js';
import { ERRORS } from '../errors.js';
import type { Ipv4 } from '../net/ipv4.js';

/** Where the scopes come from; `load()` is called at start and at every reload. */
export interface ScopeSource {
  /** For status and logs, e.g. `scope files in ./scopes` or `derived from eth1`. */
  readonly describe: string;
  load(): Promise<Scope[]>;
  /**
   * Derived scopes only: the interface `name` is now served with this address (it came back
   * with another one, links.ts); the next `load()` derives its scope from it.
   */
  follow?(name: string, address: { readonly address: Ipv4; readonly prefix: number }): void;
}

/** One interface served without a scope file: its address and prefix make the scope. */
export interface DerivedInterface {
  readonly name: string;
  readonly address: Ipv4;
  readonly prefix: number;
}

/** Scopes derived from interface addresses (no scope file); the scope is named after the interface. */
export function derivedScopes(initial: readonly DerivedInterface[]): ScopeSource {
  let interfaces = [...initial];
  return {
    get describe() {
      return `derived from ${interfaces.map((i) => `${i.name} ${i.address}/${i.prefix}`).join(', ')}`;
    },
    load: () => Promise.resolve(interfaces.map((i) => deriveScope({ name: i.name, interface: i.name, address: i.address, prefix: i.prefix }))),
    follow(name, { address, prefix }) {
      interfaces = interfaces.map((i) => (i.name === name ? { name, address, prefix } : i));
    },
  };
}

/** Scopes from the files of a directory, optionally only those naming the given interfaces. */
export function scopeFiles(dir: string, onlyInterfaces: readonly string[] = []): ScopeSource {
  return {
    describe: `scope files in ${dir}${onlyInterfaces.length ? ` for ${onlyInterfaces.join(', ')}` : ''}`,
    async load() {
      const all = await loadScopes(dir);
      const chosen = onlyInterfaces.length ? all.filter((s) => onlyInterfaces.includes(s.interface)) : all;
      if (chosen.length === 0) {
        const why = onlyInterfaces.length ? ` for interface ${onlyInterfaces.join(', ')}` : '';
        throw ERRORS.noScopeFileIn.create({ dir, why });
      }
      return chosen;
    },
  };
}
