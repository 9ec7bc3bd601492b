/**
 * What a vendor profile is, as data: which devices it matches, which options it sends
 * (typed sources resolved at answer time from the server's facts), which scope
 * defaults it replaces, and which files the device asks for. The data files live in
 * vendors/, one per vendor family, each citing its sources.
 */

/** A device's class facts as the DHCP request states them. */
export interface DeviceFacts {
  /** Option 60 vendor class identifier, as text. */
  readonly vendorClass?: string;
  /** Option 77 user class (iPXE sends `iPXE`). */
  readonly userClass?: string;
  /** Option 93 client system architecture (IANA "Processor Architecture Types"). */
  readonly arch?: number;
  /** Option 61 client identifier as text, when it is a type-0 (non-hardware) printable identifier (clientIdText). */
  readonly clientIdText?: string;
  /** chaddr, canonical colon form. */
  readonly mac: string;
}

/** One way to recognise a device: every criterion given must hold. */
export interface MatchRule {
  /** Option 60 starts with one of these (case-sensitive, as vendors send it). */
  readonly vendorClassPrefix?: readonly string[];
  /** Option 60 matches this pattern. */
  readonly vendorClassPattern?: RegExp;
  /** Option 77 equals one of these. */
  readonly userClass?: readonly string[];
  /** Option 77 must not be one of these (PXE firmware profiles leave iPXE alone). */
  readonly notUserClass?: readonly string[];
  /** Option 93 is one of these. */
  readonly arch?: readonly number[];
  /** Option 61, as text (DeviceFacts.clientIdText), matches this pattern (IOS: `cisco-0019.e8a5.0a81-Vl1`). */
  readonly clientIdPattern?: RegExp;
}

/** How a profile recognises its devices. */
export interface ProfileMatch {
  /** Explicit rules; any one matching is a match. */
  readonly rules: readonly MatchRule[];
  /** MAC OUIs (`00:1b:d4`), used only when no profile matched explicitly (vendors use many OUIs). */
  readonly ouis: readonly string[];
}

/** Where an option's value comes from; `{server}` and `{param}` in text are filled at answer time. */
export type OptionSource =
  | { readonly kind: 'server-list' }
  | { readonly kind: 'text'; readonly text: string }
  /**
   * Where a phone fetches its files: `http://{server}[:port]/` when benchboot serves
   * HTTP (`AnswerContext.httpPort`), else `tftp` filled (`{server}`, `tftp://{server}`).
   */
  | { readonly kind: 'provisioning-server'; readonly tftp: string }
  | { readonly kind: 'boot-file-by-arch'; readonly files: Readonly<Record<number, string>> }
  | { readonly kind: 'cisco-pnp'; readonly server: string; readonly port: string; readonly transport: 'http' | 'https' }
  | { readonly kind: 'avaya'; readonly pairs: readonly (readonly [string, string])[] }
  | { readonly kind: 'mitel'; readonly carrier: 'option-43' | 'option-125'; readonly pairs: readonly (readonly [string, string])[] }
  | { readonly kind: 'juniper-ztp'; readonly configFile?: string; readonly imageFile?: string; readonly transferMode: 'ftp' | 'tftp' | 'http' };

/** One option a profile sends. */
export interface ProfileOption {
  readonly code: number;
  /** The option's name, as `probe` shows it. */
  readonly name: string;
  readonly source: OptionSource;
}

/** The files a device of this profile asks for; `{MAC}`, `{mac}`, `{hostname}` stand for the device's own. */
export interface ProfileFiles {
  /** In the order the device asks. */
  readonly requested: readonly string[];
  /** Fetching one of these means the device is provisioned. */
  readonly done: readonly string[];
  /** Misses that are normal (not worth a warning). */
  readonly normalMisses: readonly string[];
  /** What a device with no file of its own gets. */
  readonly defaultFile?: string;
  /** How the MAC is written in file names. */
  readonly macSpelling: 'upper' | 'lower' | 'none';
}

/** A built-in vendor profile. */
export interface Profile {
  readonly id: string;
  readonly description: string;
  /** Vendor documents and PROVISIONING.md rows the data follows. */
  readonly sources: readonly string[];
  readonly match: ProfileMatch;
  readonly options: readonly ProfileOption[];
  /** Scope default options this profile withholds (Cisco phones: no 66 beside 150). */
  readonly withholds: readonly number[];
  /** Parameters the option texts use, with their defaults (a scope may override them). */
  readonly params: Readonly<Record<string, string>>;
  readonly files: ProfileFiles;
  /** Anything a technician must know (e.g. "benchboot is not a PnP server"). */
  readonly notes: readonly string[];
  /**
   * The device retries a TFTP request answered "server busy" (ERROR 0), so over the
   * transfer limits it gets that at once instead of waiting for a slot.
   */
  readonly retriesOnBusy?: boolean;
}
