/**
 * The check that an interface named on the command line exists, apart from the
 * interface preparation (interfaces.ts, which loads the scope files' code) so that the
 * root parent of serve makes it without loading more.
 */
import { ERRORS } from '../errors.js';
import { findInterface, listInterfaces, type NetworkInterface } from '../net/interfaces.js';

/** The interface, or BB_INTERFACE naming the ones that exist. */
export async function requireInterface(name: string): Promise<NetworkInterface> {
  const iface = await findInterface(name);
  if (iface) return iface;
  const known = (await listInterfaces()).filter((i) => !i.isLoopback).map((i) => i.name);
  throw ERRORS.interfaceMissing.create({ name, known: known.join(', ') || 'none' });
}
