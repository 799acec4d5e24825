/**
 * The console's calls to the service's two surfaces, on the console's own origin (the API serves /console):
 * - Apillon (`/storage/...`): `Authorization: Basic base64(key:secret)`, answers `{id, status, data}` or
 *   `{code, message}` / 422 `{errors: [{code, property, message}]}`;
 * - Quantum (`/API/...`): `X-API-MKEY`, answers `{status: 'success', message, data}` or `{status: 'error', message}`.
 * Credentials live in this tab's sessionStorage only (never a cookie, never localStorage).
 */

export type Session =
  | { readonly kind: 'apillon'; readonly apiKey: string; readonly apiSecret: string }
  | { readonly kind: 'quantum'; readonly masterKey: string };

const SESSION_KEY = 'storage-console.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Session;
    if (value.kind === 'apillon' && typeof value.apiKey === 'string' && typeof value.apiSecret === 'string') return value;
    if (value.kind === 'quantum' && typeof value.masterKey === 'string') return value;
  } catch {
    // unreadable: signed out
  }
  return null;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** An answer other than 2xx, with the surface's code (`40406002`, `BUCKET_DNE`) and what a person can read. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** base64 of UTF-8 text (btoa alone refuses characters beyond Latin-1). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function credentialHeaders(session: Session): Record<string, string> {
  return session.kind === 'apillon'
    ? { authorization: `Basic ${base64(`${session.apiKey}:${session.apiSecret}`)}` }
    : { 'x-api-mkey': session.masterKey };
}

async function readJson(response: Response): Promise<any> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Calls an Apillon route and returns its `data`; throws {@link ApiError}. */
export async function apillon<T = any>(session: Session, method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(session, method, path, body);
  const parsed = await readJson(response);
  if (response.ok) return parsed?.data as T;
  if (Array.isArray(parsed?.errors)) {
    const first = parsed.errors[0] ?? {};
    const detail = parsed.errors.map((e: { property?: string; message?: string }) => `${e.property ?? ''}: ${e.message ?? ''}`).join('; ');
    throw new ApiError(`Invalid input (${detail})`, response.status, String(first.code ?? first.message ?? response.status));
  }
  const code = String(parsed?.code ?? response.status);
  throw new ApiError(`${parsed?.message ?? response.statusText} (${code})`, response.status, code);
}

/** Calls a Quantum route and returns the whole success envelope (`message`, `data`); throws {@link ApiError}. */
export async function quantum<T = any>(session: Session, method: string, path: string, body?: BodyInit): Promise<{ message: string; data: T }> {
  const response = await fetch(path, { method, headers: credentialHeaders(session), body });
  const parsed = await readJson(response);
  if (response.ok && parsed?.status === 'success') return { message: parsed.message, data: parsed.data as T };
  const code = String(parsed?.message ?? response.status);
  throw new ApiError(`${code} (HTTP ${response.status})`, response.status, code);
}

function send(session: Session, method: string, path: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = credentialHeaders(session);
  if (body !== undefined) headers['content-type'] = 'application/json';
  return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** A path segment, encoded (names with spaces, `#`, `?`). */
export const seg = (value: string) => encodeURIComponent(value);

// ---- Apillon shapes (what the console reads of them) ----

export interface Bucket {
  bucketUuid: string;
  name: string;
  description: string | null;
  size: number;
  maxSize: number;
  public: boolean;
  markedForDeletion: boolean;
  createTime: string;
}

export interface StorageInfo {
  availableStorage: number;
  usedStorage: number;
  totalStorage: number;
}

/** An item of `GET /storage/buckets/:bucketUuid/content`: type 1 = directory, 2 = file. */
export interface ContentItem {
  type: 1 | 2;
  id: number;
  uuid: string;
  name: string;
  CID: string | null;
  CIDv1: string | null;
  CIDv0: string | null;
  link: string | null;
  status: number;
  contentType?: string | null;
  size?: number | null;
  fileStatus?: number | null;
  updateTime: string;
}

export interface SdkFile {
  fileUuid: string;
  name: string;
  fileStatus: number | null;
  status: number;
  size: number | null;
  path: string | null;
  CID: string | null;
  link: string | null;
}

export interface IpnsName {
  ipnsUuid: string;
  name: string;
  description: string | null;
  ipnsName: string;
  ipnsValue: string | null;
  link: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** What a file status means (Apillon's fileStatus 1→4; 8 = marked for deletion; 100+ = failed). */
export function statusLabel(fileStatus: number | null | undefined, recordStatus?: number): string {
  if (recordStatus === 8) return 'marked for deletion';
  switch (fileStatus) {
    case 1:
      return '1 · URL issued';
    case 2:
      return '2 · in S3';
    case 3:
      return '3 · CID computed';
    case 4:
      return '4 · replicated';
    case null:
    case undefined:
      return '';
    default:
      return `${fileStatus} · failed`;
  }
}

/** Bytes as a person reads them (binary units). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
