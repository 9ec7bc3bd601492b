/**
 * UEFI HTTP boot (UEFI Specification 2.10 §24.7 "HTTP Boot", issue 14): firmware
 * that boots over HTTP sends option 60 beginning `HTTPClient` (`HTTPClient:Arch:00016:…`)
 * and takes an offer only when it carries option 60 `HTTPClient` back and a URI as the
 * boot file (§24.7.2.1, "the DHCP server … shall return the boot file as URI"). Such a
 * request gets the boot file it would get anyway (profile, class or scope, in that
 * order), turned into `http://<our address on the link>[:port]/<file>`, plus option 60.
 * A boot file that is already a URL is sent as it is. With HTTP off, or no boot file,
 * the answer is left alone (the firmware then ignores it, as it would any PXE answer).
 */
import { effectiveBoot } from '../dhcp/build-boot-options.js';
import { OPTION } from '../dhcp/constants.js';
import type { RequestPolicy, RequestPolicyInput } from '../dhcp/request-policy.js';
import { httpServerUrl } from '../profiles/index.js';

/** The vendor class prefix of UEFI HTTP boot clients, and what the server answers in option 60. */
export const HTTP_CLIENT_CLASS = 'HTTPClient';

/** The largest boot file name that fits the BOOTP `file` field (RFC 2131 §2). */
const FILE_FIELD_BYTES = 128;

const encoder = new TextEncoder();

/** The boot file the answer carries without HTTP boot: the policy's option 67, its `file`, else the class's or scope's. */
function plainBootFile(input: RequestPolicyInput, base: RequestPolicy | undefined): string | undefined {
  const option = base?.options.find((o) => o.code === OPTION.BOOTFILE_NAME);
  if (option !== undefined) return new TextDecoder().decode(option.data);
  return base?.boot?.file ?? effectiveBoot(input.scope, input.clientClass).file;
}

/** The URL of `file` on benchboot's HTTP server at `server:port` (a URL stays as it is). */
export function bootUrl(file: string, server: string, port: number): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return file;
  const path = file.replace(/^[/\\]+/, '').split('/').map(encodeURIComponent).join('/');
  return `${httpServerUrl(server, port)}${path}`;
}

/**
 * The answer for a UEFI HTTP boot client (see the module comment): `base` with
 * option 60 `HTTPClient`, option 67 the URL and `file` the URL when it fits.
 * `httpPort` is the port HTTP is served on, undefined when it is not.
 */
export function withHttpBoot(input: RequestPolicyInput, base: RequestPolicy | undefined, httpPort: number | undefined): RequestPolicy | undefined {
  if (httpPort === undefined || !(input.facts.classFacts.vendorClass ?? '').startsWith(HTTP_CLIENT_CLASS)) return base;
  const file = plainBootFile(input, base);
  if (file === undefined || file === '') return base;
  const url = bootUrl(file, input.serverAddress, httpPort);
  const data = encoder.encode(url);
  const kept = (base?.options ?? []).filter((o) => o.code !== OPTION.VENDOR_CLASS && o.code !== OPTION.BOOTFILE_NAME);
  return {
    withhold: base?.withhold ?? [],
    ...base,
    options: [...kept, { code: OPTION.VENDOR_CLASS, data: encoder.encode(HTTP_CLIENT_CLASS) }, { code: OPTION.BOOTFILE_NAME, data }],
    boot: { ...base?.boot, file: data.length <= FILE_FIELD_BYTES ? url : '' },
  };
}
