/**
 * Turns a profile's option sources into option bytes for one answer: fills `{server}`
 * and the profile's parameters into texts, and calls the typed encoder of each
 * source. Also says what each option means, for `profile show` and the log.
 */
import { ipv4ToBytes, isIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.js';
import { encodeJuniperZtp } from './encode/juniper-ztp.js';
import { asciiBytes, checkLength, MAX_OPTION_DATA, OptionEncodeError, type RawOption } from './encode/raw-option.js';
import { encodeVendorSpecific } from './encode/vendor-identifying.js';
import { encodeAvaya, encodeCiscoPnp, encodeMitel, formatAvaya, formatCiscoPnp, formatMitel } from './encode/vendor-strings.js';
import type { OptionSource, Profile } from './profile.js';

/** What the answer knows when options are resolved. */
export interface AnswerContext {
  /** benchboot's address on the interface the request came in on. */
  readonly server: Ipv4;
  /** The client's option 93 architecture, when sent. */
  readonly arch?: number;
  /** Overrides of the profile's parameters (from the scope, class or row). */
  readonly params?: Readonly<Record<string, string>>;
  /** The TCP port benchboot serves HTTP on (80 when it does), undefined when it serves no HTTP. */
  readonly httpPort?: number;
}

/** One option ready to send, with what it means in words. */
export interface ResolvedOption extends RawOption {
  readonly name: string;
  readonly meaning: string;
}

/** Mitel's IANA enterprise number, which frames its option 125 data (RFC 3925 §4). */
export const MITEL_ENTERPRISE = 1027;

/** The root URL of benchboot's HTTP server at `server:port` (`:80` left out). */
export function httpServerUrl(server: string, port: number): string {
  return `http://${server}${port === 80 ? '' : `:${port}`}/`;
}

/** Replaces `{name}` in `text` from `values`; refuses an unknown name. */
export function fillText(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{([a-z][a-z0-9_]*)\}/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new OptionEncodeError(`unknown parameter {${name}}`);
    return v;
  });
}

function valuesFor(profile: Profile, ctx: AnswerContext): Record<string, string> {
  const base: Record<string, string> = { server: ctx.server };
  for (const [k, v] of Object.entries({ ...profile.params, ...ctx.params })) base[k] = fillText(v, base);
  return base;
}

function text(t: string): { data: Uint8Array; meaning: string } {
  return { data: checkLength(asciiBytes(t, 'text'), MAX_OPTION_DATA, 'text'), meaning: JSON.stringify(t) };
}

function pairsFilled(pairs: readonly (readonly [string, string])[], values: Record<string, string>): [string, string][] {
  return pairs.map(([k, v]) => [k, fillText(v, values)]);
}

function encodeSource(source: OptionSource, values: Record<string, string>, ctx: AnswerContext): { data: Uint8Array; meaning: string } | undefined {
  switch (source.kind) {
    case 'server-list':
      return { data: ipv4ToBytes(ctx.server), meaning: ctx.server };
    case 'text':
      return text(fillText(source.text, values));
    case 'provisioning-server': {
      if (ctx.httpPort !== undefined) return text(httpServerUrl(ctx.server, ctx.httpPort));
      const plain = text(fillText(source.tftp, values));
      return { data: plain.data, meaning: `${plain.meaning} (${JSON.stringify(httpServerUrl(ctx.server, 80))} when serve runs HTTP on port 80)` };
    }
    case 'boot-file-by-arch': {
      const file = ctx.arch === undefined ? undefined : source.files[ctx.arch];
      return file === undefined ? undefined : text(fillText(file, values));
    }
    case 'cisco-pnp': {
      const server = fillText(source.server, values);
      if (!isIpv4(server)) throw new OptionEncodeError(`PnP server "${server}" is not an IPv4 address`);
      const target = { serverIp: parseIpv4(server), port: Number(fillText(source.port, values)), transport: source.transport };
      return { data: encodeCiscoPnp(target), meaning: JSON.stringify(formatCiscoPnp(target)) };
    }
    case 'avaya': {
      const pairs = pairsFilled(source.pairs, values);
      return { data: encodeAvaya(pairs), meaning: JSON.stringify(formatAvaya(pairs)) };
    }
    case 'mitel': {
      const pairs = pairsFilled(source.pairs, values);
      const str = encodeMitel(pairs, source.carrier);
      const data = source.carrier === 'option-125' ? encodeVendorSpecific([{ enterprise: MITEL_ENTERPRISE, data: str }]) : str;
      const framing = source.carrier === 'option-125' ? `enterprise ${MITEL_ENTERPRISE}, ` : '';
      return { data, meaning: `${framing}${JSON.stringify(formatMitel(pairs))}` };
    }
    case 'juniper-ztp': {
      const z = { configFile: source.configFile && fillText(source.configFile, values), imageFile: source.imageFile && fillText(source.imageFile, values), transferMode: source.transferMode };
      const parts = Object.entries(z).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${String(v)}`);
      return { data: encodeJuniperZtp({ ...z, configFile: z.configFile || undefined, imageFile: z.imageFile || undefined }), meaning: parts.join(', ') };
    }
  }
}

/**
 * The options `profile` sends in one answer, in profile order. An option whose value
 * does not apply (a boot file for an architecture the profile has none for) is left
 * out. Throws OptionEncodeError when a value cannot be encoded.
 */
export function resolveProfileOptions(profile: Profile, ctx: AnswerContext): ResolvedOption[] {
  const values = valuesFor(profile, ctx);
  const out: ResolvedOption[] = [];
  for (const opt of profile.options) {
    const enc = encodeSource(opt.source, values, ctx);
    if (enc !== undefined) out.push({ code: opt.code, name: opt.name, data: enc.data, meaning: enc.meaning });
  }
  return out;
}
