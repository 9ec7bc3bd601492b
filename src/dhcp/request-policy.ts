/**
 * The per-request policy port: a narrow callback through which the product decorates
 * one answer from the request's facts and the chosen scope (vendor profiles, the
 * device inventory). dhcp knows nothing of profiles or inventories; it applies what
 * the callback returns:
 * - `options`: extra options (code + value bytes), always sent, whether or not the
 *   client listed them in option 55; one replaces a scope or class option of its code;
 * - `withhold`: option codes left out of the reply (Cisco phones: no 66 beside 150);
 * - `hostname`: option 12 for this device;
 * - `boot`: siaddr, sname and file for this device (siaddr = first option 150 address);
 * - `label`: a name for the log line and the lease event (the matched profile).
 * The callback is called once per request, after scope and class are chosen.
 */
import type { Ipv4 } from '../net/ipv4.js';
import type { RequestFacts } from './request-facts.js';
import type { ClientClass, Scope } from './scope.js';

/** One extra option: code and value bytes (split per RFC 3396 on encode if > 255). */
export interface PolicyOption {
  readonly code: number;
  readonly data: Uint8Array;
}

/** What a policy changes in one answer. */
export interface RequestPolicy {
  readonly options: readonly PolicyOption[];
  readonly withhold: readonly number[];
  /** Option 12 (RFC 2132 §3.14); replaces a reservation's host name. */
  readonly hostname?: string;
  /** Fixed fields of the reply (RFC 2131 §2), each replacing the scope's. */
  readonly boot?: { readonly siaddr?: Ipv4; readonly sname?: string; readonly file?: string };
  /** For the log and the lease event, e.g. the profile id. */
  readonly label?: string;
}

/** What the policy is asked with. */
export interface RequestPolicyInput {
  readonly facts: RequestFacts;
  readonly scope: Scope;
  /** The matching client class, if any. */
  readonly clientClass?: ClientClass;
  /** Our address on the receiving link (option 54). */
  readonly serverAddress: Ipv4;
}

/** The port: undefined means "answer from the scope alone". Must be pure and must not throw. */
export type DhcpPolicy = (input: RequestPolicyInput) => RequestPolicy | undefined;
