/**
 * `storage`: the user CLI of this service's Apillon surface (issue 22). Arguments with
 * commander; every command talks to the public API over HTTP (api.ts), as any client would.
 *
 * Exit codes: 0 success (help included), 1 a failure (the API's error code and name on stderr,
 * files that could not be uploaded), 2 a usage error (unknown command or option, a malformed
 * value; the message names it). Results go to stdout (`--json` for scripts), progress and
 * errors to stderr.
 */
import { Command, CommanderError, Option } from 'commander';
import { integerIn, parseBucketPath, parseSize, parseUuid } from './options';

export interface GlobalOptions {
  readonly apiUrl?: string;
}

/** What each command does once its arguments are parsed (commands.ts; tests pass their own). */
export interface Actions {
  login(options: GlobalOptions & { key?: string; secret?: string }): Promise<void>;
  buckets(options: GlobalOptions & { json?: boolean }): Promise<void>;
  bucketCreate(name: string, options: GlobalOptions & { description?: string; json?: boolean }): Promise<void>;
  info(options: GlobalOptions & { json?: boolean }): Promise<void>;
  upload(source: string, options: GlobalOptions & UploadCommandOptions): Promise<void>;
  ls(path: string | undefined, options: GlobalOptions & { bucket: string; json?: boolean }): Promise<void>;
  get(id: string, options: GlobalOptions & { bucket?: string; output?: string; force?: boolean }): Promise<void>;
  rm(fileUuid: string, options: GlobalOptions & { bucket: string; json?: boolean }): Promise<void>;
  ipnsCreate(name: string, options: GlobalOptions & { bucket: string; cid?: string; description?: string; json?: boolean }): Promise<void>;
  ipnsPublish(ipnsUuid: string, cid: string, options: GlobalOptions & { bucket: string; json?: boolean }): Promise<void>;
  ipnsLs(options: GlobalOptions & { bucket: string; json?: boolean }): Promise<void>;
}

export interface UploadCommandOptions {
  readonly bucket: string;
  readonly path?: string;
  readonly wrap?: boolean;
  readonly wait?: boolean;
  readonly waitTimeout: number;
  readonly concurrency: number;
  readonly multipartThreshold: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** Output streams (tests capture them). */
export interface Io {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/** The program: commands, options and their parsers; `actions` run them. */
export function buildProgram(actions: Actions, io: Io): Command {
  const program = new Command('storage')
    .description('Files on this storage service from the command line: buckets, uploads with progress and resume, IPNS.')
    .addOption(new Option('--api-url <url>', 'the API to talk to (default: APILLON_API_URL, then the login config)'))
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr })
    .exitOverride();
  const global = (command: Command) => command.optsWithGlobals() as GlobalOptions;
  const bucket = () => new Option('-b, --bucket <uuid>', 'the bucket (its bucketUuid)').argParser(parseUuid).makeOptionMandatory();
  const json = () => new Option('--json', 'print the result as JSON');

  program
    .command('login')
    .description('check an API key and secret and keep them in the config file (mode 0600); APILLON_API_KEY/SECRET/URL win over it')
    .option('--key <apiKey>', 'the API key (else asked for)')
    .option('--secret <apiSecret>', 'the API secret (else asked for; prefer the prompt: arguments show in `ps`)')
    .action((_options, command: Command) => actions.login(global(command) as never));

  const buckets = program
    .command('buckets')
    .description('list your buckets')
    .addOption(json())
    .action((_options, command: Command) => actions.buckets(global(command)));
  buckets
    .command('create <name>')
    .description('create a bucket')
    .option('--description <text>', 'its description')
    .addOption(json())
    .action((name: string, _options, command: Command) => actions.bucketCreate(name, global(command)));

  program
    .command('info')
    .description('storage used and available')
    .addOption(json())
    .action((_options, command: Command) => actions.info(global(command)));

  program
    .command('upload <source>')
    .description('upload a file or a folder (its tree), resuming a killed upload of the same source')
    .addOption(bucket())
    .addOption(new Option('--path <dir>', 'directory in the bucket to put the files under (default: the root)').argParser(parseBucketPath))
    .option('--wrap', 'put a folder’s files under a directory named after it (or --path); --wait prints its CID')
    .option('--wait', 'wait until every file is at status 4 (CID known, replicated); print the directory CID')
    .addOption(new Option('--wait-timeout <seconds>', 'give up waiting after this long').argParser(integerIn(1, 86_400)).default(600))
    .addOption(new Option('-c, --concurrency <n>', 'PUTs at once').argParser(integerIn(1, 64)).default(8))
    .addOption(new Option('--multipart-threshold <size>', 'files this big or bigger go through multipart upload').argParser(parseSize).default(100 * 1024 * 1024, '100MiB'))
    .addOption(json())
    .option('-q, --quiet', 'nothing on stderr but errors (no progress, no summary, no retry notices)')
    .action((source: string, _options, command: Command) => actions.upload(source, global(command) as never));

  program
    .command('ls')
    .argument('[path]', 'the directory (default: the root)', parseBucketPath)
    .description('list a directory of a bucket (default: its root)')
    .addOption(bucket())
    .addOption(json())
    .action((path: string | undefined, _options, command: Command) => actions.ls(path || undefined, global(command) as never));

  program
    .command('get <fileUuidOrCid>')
    .description('download a file by its fileUuid (with --bucket) or its CID')
    .addOption(new Option('-b, --bucket <uuid>', 'the bucket (needed for a fileUuid)').argParser(parseUuid))
    .option('-o, --output <path>', 'where to write it (`-` for stdout; default: its name, in the current folder)')
    .option('-f, --force', 'overwrite an existing file')
    .action((id: string, _options, command: Command) => actions.get(id, global(command) as never));

  program
    .command('rm')
    .argument('<fileUuid>', 'the file', parseUuid)
    .description('mark a file for deletion (status 8; purged after 90 days)')
    .addOption(bucket())
    .addOption(json())
    .action((fileUuid: string, _options, command: Command) => actions.rm(fileUuid, global(command) as never));

  const ipns = program.command('ipns').description('IPNS names of a bucket');
  ipns
    .command('create <name>')
    .description('create an IPNS name (published at once with --cid)')
    .addOption(bucket())
    .option('--cid <cid>', 'publish this CID')
    .option('--description <text>', 'its description')
    .addOption(json())
    .action((name: string, _options, command: Command) => actions.ipnsCreate(name, global(command) as never));
  ipns
    .command('publish')
    .argument('<ipnsUuid>', 'the IPNS name (its ipnsUuid)', parseUuid)
    .argument('<cid>', 'the CID to point it at')
    .description('point an IPNS name at a CID')
    .addOption(bucket())
    .addOption(json())
    .action((ipnsUuid: string, cid: string, _options, command: Command) => actions.ipnsPublish(ipnsUuid, cid, global(command) as never));
  ipns
    .command('ls')
    .description('list the IPNS names of a bucket')
    .addOption(bucket())
    .addOption(json())
    .action((_options, command: Command) => actions.ipnsLs(global(command) as never));

  for (const command of [program, ...program.commands, ...buckets.commands, ...ipns.commands]) command.exitOverride().configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr });
  return program;
}

/**
 * Runs the CLI on `argv` (without node and script) and answers the exit code: 0, 1 (a failure,
 * described on stderr) or 2 (usage).
 */
export async function run(argv: readonly string[], actions: Actions, io: Io, describe: (error: unknown) => string): Promise<number> {
  const program = buildProgram(actions, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exitCode 0; commander already printed its message.
      return error.exitCode === 0 ? 0 : 2;
    }
    io.writeErr(`error: ${describe(error)}\n`);
    return 1;
  }
}
