/**
 * The effective scope, as config produces it: the model is owned by the DHCP package
 * (src/dhcp/scope.ts), which consumes it; config parses and validates scope files into it.
 */
export type { AddressRange, BootData, ClassMatch, ClientClass, Reservation, Scope, ScopeOption } from '../dhcp/scope.js';
