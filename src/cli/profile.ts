/**
 * `benchboot profile list|show`: the built-in vendor profiles — what each matches
 * (option 60/77/93, MAC OUI as a fallback), what it sends (each option as code,
 * name, bytes and meaning, as `probe` shows options, resolved for `--server`), which
 * scope defaults it withholds, the files its devices ask for and the normal misses.
 */
import { ERRORS } from '../errors.js';
import { isIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.js';
import { toHex } from '../net/bytes.js';
import { describeMatch, formatProfile, formatProfileList, getProfile, profileIds, PROFILES, resolveProfileOptions, type AnswerContext, type Profile } from '../profiles/index.js';
import { defineCommand, defineGroup, writeJson, writeLine } from './output.js';

/** The server address `profile show` fills into options when --server is not given. */
const EXAMPLE_SERVER = '10.10.0.1';

function serverOf(text: string): Ipv4 {
  if (!isIpv4(text)) throw ERRORS.notIpv4.create({ text });
  return parseIpv4(text);
}

function profileJson(profile: Profile, ctx: AnswerContext): Record<string, unknown> {
  return {
    id: profile.id,
    description: profile.description,
    matches: describeMatch(profile),
    options: resolveProfileOptions(profile, ctx).map((o) => ({ code: o.code, name: o.name, hex: toHex(o.data), meaning: o.meaning })),
    withholds: profile.withholds,
    files: profile.files,
    params: profile.params,
    notes: profile.notes,
    sources: profile.sources,
  };
}

const listCommand = defineCommand({
  command: 'list',
  describe: 'List the built-in vendor profiles and the options each sends',
  builder: (y) => y,
  run: (args, ctx) => {
    if (args.json) writeJson(ctx.io.stdout, PROFILES.map((p) => ({ id: p.id, description: p.description, matches: describeMatch(p), sends: p.options.map((o) => o.code) })));
    else writeLine(ctx.io.stdout, formatProfileList(PROFILES));
    return Promise.resolve(0);
  },
});

const showCommand = defineCommand({
  command: 'show <name>',
  describe: 'Print what a profile matches and sends (options with bytes and meaning), its files and normal misses',
  builder: (y) =>
    y
      .positional('name', { type: 'string', demandOption: true, describe: 'Profile id (see benchboot profile list)' })
      .option('server', { type: 'string', default: EXAMPLE_SERVER, requiresArg: true, describe: 'benchboot\'s address, as filled into the options' })
      .option('arch', { type: 'number', requiresArg: true, describe: 'Client architecture (option 93) for profiles whose boot file depends on it' }),
  examples: [
    ['$0 profile show cisco-phone --server 10.10.0.1', 'Option 150 as bytes, and the files a Cisco phone asks for'],
    ['$0 profile show pxe-uefi --arch 7', 'The boot file a x64 UEFI client gets'],
  ],
  run: (args, ctx) => {
    const profile = getProfile(args.name);
    if (profile === undefined) throw ERRORS.profileNotFound.create({ name: args.name, known: [...profileIds()].join(', ') });
    const answer: AnswerContext = { server: serverOf(args.server), ...(args.arch === undefined ? {} : { arch: args.arch }) };
    if (args.json) writeJson(ctx.io.stdout, profileJson(profile, answer));
    else writeLine(ctx.io.stdout, formatProfile(profile, answer));
    return Promise.resolve(0);
  },
});

/** `benchboot profile ...`. */
export const profileCommand = defineGroup('profile', 'Show the built-in vendor profiles', [listCommand, showCommand]);
