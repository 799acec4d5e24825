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
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../lib/config';
import { createAccount, issueApiKey, issueMasterKey } from '../lib/domain/accounts';
import { ALL_PERMISSIONS, parsePermissionName, permissionName, type Permission } from '../lib/domain/principal';
import { localEnvironment, localPorts } from '../lib/local/environment';
import { createServices } from '../lib/services';

const USAGE = `usage: npm run admin -- <command> [--json]
  account create --name <name> [--quota <size, e.g. 10GiB>]
  account list
  account quota <accountId> <size>
  master-key create <accountId>
  api-key create <accountId> [--permissions READ,WRITE,EXECUTE]
  key list <accountId>
  key revoke <credentialId | apiKey>`;

class UsageError extends Error {}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UsageError(`Not a size: "${text}" (examples: 1048576, 500MB, 10GiB)`);
  return Math.floor(Number(match[1]) * unit);
}

function parsePermissions(text: string | undefined): Permission[] {
  if (!text) return [...ALL_PERMISSIONS];
  return text.split(',').map((name) => {
    const permission = parsePermissionName(name);
    if (permission === undefined) throw new UsageError(`Unknown permission "${name}" (READ, WRITE, EXECUTE)`);
    return permission;
  });
}

async function run(argv: string[]): Promise<{ human: string; json: unknown }> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, name: { type: 'string' }, quota: { type: 'string' }, permissions: { type: 'string' } },
  });
  const [noun, verb, ...rest] = positionals;
  // Without TABLE_NAME, the local stack (`npm start`) is meant: take its settings and credentials.
  if (!process.env.TABLE_NAME) Object.assign(process.env, { ...localEnvironment(localPorts()), ...process.env });
  // The tool only touches the table; bucket names follow serverless.yml's defaults unless given.
  process.env.FILES_BUCKET ??= `${process.env.TABLE_NAME}-files`;
  process.env.REPLICA_BUCKET ??= `${process.env.TABLE_NAME}-replica`;
  const services = createServices(parseConfig(process.env));
  const { accounts } = services;
  const requireArg = (value: string | undefined, what: string) => {
    if (!value) throw new UsageError(`Missing ${what}.`);
    return value;
  };
  const requireAccount = async (accountId: string) => {
    if (!(await accounts.getAccount(accountId))) throw new UsageError(`No account ${accountId}.`);
    return accountId;
  };

  switch (`${noun} ${verb}`) {
    case 'account create': {
      const quotaBytes = values.quota ? parseSize(values.quota) : services.config.DEFAULT_QUOTA_BYTES;
      const account = await createAccount(accounts, { name: requireArg(values.name, '--name'), quotaBytes });
      return { json: account, human: `account ${account.accountId} (${account.name}), quota ${account.quotaBytes} bytes` };
    }
    case 'account list': {
      const list = await accounts.listAccounts();
      return {
        json: list,
        human: list.map((a) => `${a.accountId}  ${a.name}  used ${a.usedBytes} / ${a.quotaBytes} bytes`).join('\n') || '(no accounts)',
      };
    }
    case 'account quota': {
      const accountId = requireArg(rest[0], 'accountId');
      const quotaBytes = parseSize(requireArg(rest[1], 'size'));
      if (!(await accounts.setQuota(accountId, quotaBytes))) throw new UsageError(`No account ${accountId}.`);
      return { json: { accountId, quotaBytes }, human: `quota of ${accountId} is now ${quotaBytes} bytes` };
    }
    case 'master-key create': {
      const accountId = await requireAccount(requireArg(rest[0], 'accountId'));
      const issued = await issueMasterKey(accounts, accountId);
      return {
        json: { accountId, credentialId: issued.credentialId, masterKey: issued.token },
        human: `master key ${issued.credentialId} for ${accountId}\n  X-API-MKEY: ${issued.token}\n(shown once; only its hash is stored)`,
      };
    }
    case 'api-key create': {
      const accountId = await requireAccount(requireArg(rest[0], 'accountId'));
      const issued = await issueApiKey(accounts, accountId, parsePermissions(values.permissions));
      const basic = Buffer.from(`${issued.apiKey}:${issued.apiSecret}`).toString('base64');
      return {
        json: { accountId, ...issued },
        human: `API key ${issued.apiKey} (${issued.permissions.map(permissionName).join(', ')})\n  secret: ${issued.apiSecret}\n  Authorization: Basic ${basic}\n(secret shown once; only its hash is stored)`,
      };
    }
    case 'key list': {
      const accountId = await requireAccount(requireArg(rest[0], 'accountId'));
      const list = (await accounts.listCredentials(accountId)).map(({ secretHash: _hash, ...rest }) => rest);
      return {
        json: list,
        human: list.map((c) => `${c.kind.padEnd(6)} ${c.credentialId}  ${c.permissions.map(permissionName).join(',')}  created ${c.createdAt}`).join('\n') || '(no keys)',
      };
    }
    case 'key revoke': {
      const credentialId = requireArg(rest[0], 'credentialId');
      const deleted = await accounts.deleteCredential(credentialId);
      if (!deleted) throw new UsageError(`No key ${credentialId}.`);
      return { json: { revoked: credentialId, kind: deleted.kind }, human: `revoked ${deleted.kind} key ${credentialId}` };
    }
    default:
      throw new UsageError(USAGE);
  }
}

const asJson = process.argv.includes('--json');
run(process.argv.slice(2))
  .then(({ human, json }) => process.stdout.write(`${asJson ? JSON.stringify(json, null, 2) : human}\n`))
  .catch((error: Error) => {
    const message =
      error instanceof UsageError
        ? error.message
        : /ECONNREFUSED|ResourceNotFound/.test(`${error.name} ${error.message}`)
          ? `Cannot reach the table (${error.name}). Is the local stack running (npm start), or are TABLE_NAME/AWS_REGION set for AWS?`
          : `${error.name}: ${error.message}`;
    process.stderr.write(asJson ? `${JSON.stringify({ error: message })}\n` : `${message}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
