/**
 * Administration of accounts and keys (no HTTP endpoint creates accounts).
 * Talks to whatever the environment configures: the local stack by default,
 * AWS when TABLE_NAME / AWS_REGION (and no DYNAMODB_ENDPOINT) point there.
 *
 *   npm run admin -- account create --name alice --quota 10GiB [--json]
 *   npm run admin -- account list
 *   npm run admin -- account quota <accountId> <size>
 *   npm run admin -- master-key create <accountId>
 *   npm run admin -- api-key create <accountId> --permissions READ,WRITE,EXECUTE
 *   npm run admin -- key list <accountId>
 *   npm run admin -- key revoke <credentialId|apiKey>
 *   npm run admin -- --help | <command> --help
 *
 * Exit codes: 0 success (and help), 1 runtime failure (no such account or key,
 * table unreachable), 2 usage error (unknown command or option, missing or
 * malformed argument). Arguments are parsed by commander.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseConfig } from '../lib/config';
import { createAccount, issueApiKey, issueMasterKey } from '../lib/core/access/accounts';
import { ALL_PERMISSIONS, parsePermissionName, permissionName, type Permission } from '../lib/core/access/principal';
import { localEnvironment, localPorts } from '../lib/local/environment';
import { createServices } from '../lib/app/all-services';
import type { Services } from '../lib/app/services';

const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A failure at run time that names what is missing (exit 1). */
class RuntimeFailure extends Error {}

interface Result {
  readonly human: string;
  readonly json: unknown;
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** `10GiB`, `500MB`, `1048576` → bytes; a usage error otherwise. */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new InvalidArgumentError(`Not a size: "${text}" (examples: 1048576, 500MB, 10GiB).`);
  return Math.floor(Number(match[1]) * unit);
}

/** `READ,WRITE` → permissions; a usage error for an unknown name. */
export function parsePermissions(text: string): Permission[] {
  return text.split(',').map((name) => {
    const permission = parsePermissionName(name.trim());
    if (permission === undefined) throw new InvalidArgumentError(`Unknown permission "${name}" (READ, WRITE, EXECUTE).`);
    return permission;
  });
}

let cachedServices: Services | undefined;
/** Where the table was looked for, and which variable says so (set with the services; named when it cannot be reached). */
let tableTarget = { endpoint: 'DynamoDB', setBy: 'AWS_REGION', hint: 'Are TABLE_NAME/AWS_REGION set for AWS?' };

/** The services, built on first use: help and usage errors never touch the table. */
function services(): Services {
  if (cachedServices) return cachedServices;
  const givenEndpoint = process.env.DYNAMODB_ENDPOINT;
  const local = !process.env.TABLE_NAME;
  // Without TABLE_NAME, the local stack (`npm start`) is meant: take its settings and credentials.
  if (local) Object.assign(process.env, { ...localEnvironment(localPorts()), ...process.env });
  tableTarget = givenEndpoint
    ? { endpoint: givenEndpoint, setBy: 'DYNAMODB_ENDPOINT', hint: 'Is DynamoDB running there? DYNAMODB_ENDPOINT is its URL.' }
    : local
      ? {
          endpoint: process.env.DYNAMODB_ENDPOINT!,
          setBy: 'DYNAMODB_PORT, default 8000',
          hint: 'Is the local stack running (npm start)? If its DynamoDB Local listens on another port, set DYNAMODB_PORT to it (or DYNAMODB_ENDPOINT to its URL); for AWS, set TABLE_NAME and AWS_REGION.',
        }
      : { endpoint: `DynamoDB in ${process.env.AWS_REGION ?? 'the default region'}`, setBy: 'AWS_REGION', hint: 'Are TABLE_NAME/AWS_REGION and the AWS credentials right?' };
  // The tool only touches the table; bucket names follow serverless.yml's defaults unless given.
  process.env.FILES_BUCKET ??= `${process.env.TABLE_NAME}-files`;
  process.env.REPLICA_BUCKET ??= `${process.env.TABLE_NAME}-replica`;
  cachedServices = createServices(parseConfig(process.env));
  return cachedServices;
}

async function requireAccount(accountId: string): Promise<string> {
  if (!(await services().accounts.getAccount(accountId))) throw new RuntimeFailure(`No account ${accountId}.`);
  return accountId;
}

/** The command tree; `emit` receives each command's result. Exported for tests. */
export function buildProgram(emit: (result: Result) => void): Command {
  const program = new Command('admin')
    .description('Administer accounts and keys of the storage service (local stack by default; AWS when TABLE_NAME is set).')
    .usage('<command> [options]')
    .option('--json', 'print results (and errors) as JSON')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const run = (action: (...args: any[]) => Promise<Result>) => async (...args: unknown[]) => emit(await action(...args));

  const account = program.command('account').description('create, list and resize accounts');
  account
    .command('create')
    .description('create an account')
    .requiredOption('--name <name>', 'account name')
    .option('--quota <size>', 'storage quota, e.g. 10GiB, 500MB or bytes (default: the configured default quota)', parseSize)
    .action(
      run(async (options: { name: string; quota?: number }) => {
        const quotaBytes = options.quota ?? services().config.DEFAULT_QUOTA_BYTES;
        const created = await createAccount(services().accounts, { name: options.name, quotaBytes });
        return { json: created, human: `account ${created.accountId} (${created.name}), quota ${created.quotaBytes} bytes` };
      }),
    );
  account
    .command('list')
    .description('list every account with its usage')
    .action(
      run(async () => {
        const list = await services().accounts.listAccounts();
        return {
          json: list,
          human: list.map((a) => `${a.accountId}  ${a.name}  used ${a.usedBytes} / ${a.quotaBytes} bytes`).join('\n') || '(no accounts)',
        };
      }),
    );
  account
    .command('quota')
    .description("set an account's storage quota")
    .argument('<accountId>', 'the account')
    .argument('<size>', 'the new quota, e.g. 50GiB', parseSize)
    .action(
      run(async (accountId: string, quotaBytes: number) => {
        if (!(await services().accounts.setQuota(accountId, quotaBytes))) throw new RuntimeFailure(`No account ${accountId}.`);
        return { json: { accountId, quotaBytes }, human: `quota of ${accountId} is now ${quotaBytes} bytes` };
      }),
    );

  program
    .command('master-key')
    .description('issue master keys (X-API-MKEY)')
    .command('create')
    .description('issue a master key for an account (shown once)')
    .argument('<accountId>', 'the account')
    .action(
      run(async (accountId: string) => {
        const issued = await issueMasterKey(services().accounts, await requireAccount(accountId));
        return {
          json: { accountId, credentialId: issued.credentialId, masterKey: issued.token },
          human: `master key ${issued.credentialId} for ${accountId}\n  X-API-MKEY: ${issued.token}\n(shown once; only its hash is stored)`,
        };
      }),
    );

  program
    .command('api-key')
    .description('issue API keys (Authorization: Basic)')
    .command('create')
    .description('issue an API key and secret for an account (secret shown once)')
    .argument('<accountId>', 'the account')
    .addOption(new Option('--permissions <list>', 'comma-separated READ, WRITE, EXECUTE (default: all)').argParser(parsePermissions))
    .action(
      run(async (accountId: string, options: { permissions?: Permission[] }) => {
        const issued = await issueApiKey(services().accounts, await requireAccount(accountId), options.permissions ?? [...ALL_PERMISSIONS]);
        const basic = Buffer.from(`${issued.apiKey}:${issued.apiSecret}`).toString('base64');
        return {
          json: { accountId, ...issued },
          human: `API key ${issued.apiKey} (${issued.permissions.map(permissionName).join(', ')})\n  secret: ${issued.apiSecret}\n  Authorization: Basic ${basic}\n(secret shown once; only its hash is stored)`,
        };
      }),
    );

  const key = program.command('key').description('list and revoke keys');
  key
    .command('list')
    .description("list an account's keys (never their secrets)")
    .argument('<accountId>', 'the account')
    .action(
      run(async (accountId: string) => {
        const list = (await services().accounts.listCredentials(await requireAccount(accountId))).map(({ secretHash: _hash, ...rest }) => rest);
        return {
          json: list,
          human: list.map((c) => `${c.kind.padEnd(6)} ${c.credentialId}  ${c.permissions.map(permissionName).join(',')}  created ${c.createdAt}`).join('\n') || '(no keys)',
        };
      }),
    );
  key
    .command('revoke')
    .description('revoke a key by its credential id or API key')
    .argument('<credentialId>', 'credential id or API key')
    .action(
      run(async (credentialId: string) => {
        const deleted = await services().accounts.deleteCredential(credentialId);
        if (!deleted) throw new RuntimeFailure(`No key ${credentialId}.`);
        return { json: { revoked: credentialId, kind: deleted.kind }, human: `revoked ${deleted.kind} key ${credentialId}` };
      }),
    );

  return program;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const asJson = argv.includes('--json');
  const report = (message: string) => process.stderr.write(asJson ? `${JSON.stringify({ error: message })}\n` : `${message}\n`);
  const program = buildProgram(({ human, json }) => process.stdout.write(`${asJson ? JSON.stringify(json, null, 2) : human}\n`));
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the help or the error already. Help asked for (`--help`, `-h`, `help`) exits 0;
      // help shown because something was missing (`admin account`) is a usage error, as is any parse error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof RuntimeFailure) {
      report(error.message);
      return EXIT.failure;
    }
    const failure = error as Error;
    report(unreachableTable(failure) ?? `${failure.name}: ${failure.message}`);
    return EXIT.failure;
  }
}

/**
 * A table that cannot be reached (nothing listens, or no such table there), said with the endpoint tried and the
 * variable that sets it; undefined for any other failure.
 */
function unreachableTable(failure: Error): string | undefined {
  const code = (failure as { code?: unknown }).code;
  const text = `${failure.name} ${failure.message} ${String(code ?? '')}`;
  const where = `${tableTarget.endpoint} (set by ${tableTarget.setBy})`;
  if (/ResourceNotFound/.test(text)) return `No table ${process.env.TABLE_NAME} at ${where}. ${tableTarget.hint}`;
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT/.test(text)) {
    return `Cannot reach the table ${process.env.TABLE_NAME} at ${where}: ${typeof code === 'string' ? code : failure.message}. ${tableTarget.hint}`;
  }
  return undefined;
}

if (process.argv[1] && /admin\.[cm]?[jt]s$/.test(process.argv[1])) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
