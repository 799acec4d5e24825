/**
 * Where the CLI's credentials come from: `APILLON_API_KEY`, `APILLON_API_SECRET` and
 * `APILLON_API_URL` in the environment win (as in Apillon's own SDK and CLI), else the
 * config file `storage login` wrote: `$XDG_CONFIG_HOME/storage-cli/config.json` (default
 * `~/.config/...`; `%APPDATA%\storage-cli` on Windows; `STORAGE_CLI_CONFIG` names another
 * file), created with mode 0600 in a 0700 folder since it holds a secret.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Credentials } from './api';

/** Apillon's own API; `--api-url`/`APILLON_API_URL` point the CLI at this service. */
export const DEFAULT_API_URL = 'https://api.apillon.io';

export interface StoredConfig {
  apiUrl?: string;
  apiKey?: string;
  apiSecret?: string;
}

type Env = Record<string, string | undefined>;

/** The config file's path for this environment (see the module comment). */
export function configPath(env: Env = process.env): string {
  if (env.STORAGE_CLI_CONFIG) return env.STORAGE_CLI_CONFIG;
  const base =
    process.platform === 'win32'
      ? (env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'))
      : env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'storage-cli', 'config.json');
}

/** Where upload journals live (upload resume): beside the config file, in `uploads/`. */
export function stateDirectory(env: Env = process.env): string {
  return path.join(path.dirname(configPath(env)), 'uploads');
}

/** The config file's content; `{}` when there is none. A file that is not JSON is an error naming it. */
export function readConfig(file: string = configPath()): StoredConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as StoredConfig;
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    throw new Error(`${file} is not valid JSON: run \`storage login\` again or remove it.`);
  }
}

/** Writes the config file atomically (temp file + rename), mode 0600, its folder 0700. */
export function writeConfig(config: StoredConfig, file: string = configPath()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // an existing temp file keeps its mode through writeFileSync
  renameSync(temporary, file);
}

/** Credentials missing: which, and how to give them. */
export class MissingCredentialsError extends Error {
  constructor(missing: string[]) {
    super(`No ${missing.join(' or ')}: run \`storage login\`, or set ${missing.map((name) => (name === 'API key' ? 'APILLON_API_KEY' : 'APILLON_API_SECRET')).join(' and ')}.`);
    this.name = 'MissingCredentialsError';
  }
}

/**
 * The credentials to use: each of key, secret and URL from the environment when set there,
 * else from the config file, else (URL only) DEFAULT_API_URL; `apiUrl` given on the command
 * line wins over both.
 */
export function resolveCredentials(options: { apiUrl?: string } = {}, env: Env = process.env, file: string = configPath(env)): Credentials {
  const stored = readConfig(file);
  const apiKey = env.APILLON_API_KEY || stored.apiKey;
  const apiSecret = env.APILLON_API_SECRET || stored.apiSecret;
  const apiUrl = options.apiUrl || env.APILLON_API_URL || stored.apiUrl || DEFAULT_API_URL;
  const missing = [!apiKey && 'API key', !apiSecret && 'API secret'].filter((item): item is string => !!item);
  if (missing.length > 0) throw new MissingCredentialsError(missing);
  return { apiUrl, apiKey: apiKey!, apiSecret: apiSecret! };
}
