/** The CLI's argument parsing (cli/main.ts, cli/options.ts): what each command receives, and usage errors (exit 2). */
import { describe, expect, it } from 'vitest';
import { run, type Actions, type Io } from '../../../cli/main';
import { parseBucketPath, parseSize } from '../../../cli/options';

const BUCKET = '0b7cf7c4-3f5e-4d7a-9a3c-6f1e2d3c4b5a';

/** Runs the CLI on `argv` with actions that record their call; answers the code, the call and the output. */
async function parse(argv: string[]) {
  const calls: { name: string; args: unknown[] }[] = [];
  const record = (name: string) => async (...args: unknown[]) => void calls.push({ name, args });
  const actions = new Proxy({} as Actions, { get: (_target, name: string) => record(name) });
  let out = '';
  let err = '';
  const io: Io = { writeOut: (text) => void (out += text), writeErr: (text) => void (err += text) };
  const code = await run(argv, actions, io, (error) => String(error));
  return { code, call: calls[0], out, err };
}

describe('storage arguments', () => {
  it('parses upload with its defaults', async () => {
    // act
    const { code, call } = await parse(['upload', './site', '--bucket', BUCKET.toUpperCase()]);

    // assess
    expect(code).toBe(0);
    expect(call?.name).toBe('upload');
    expect(call?.args[0]).toBe('./site');
    expect(call?.args[1]).toMatchObject({ bucket: BUCKET, concurrency: 8, waitTimeout: 600, multipartThreshold: 100 * 1024 * 1024 });
    expect(call?.args[1]).not.toHaveProperty('wait');
  });

  it('parses every upload option', async () => {
    // act
    const { call } = await parse(['--api-url', 'http://localhost:3140', 'upload', 'f', '-b', BUCKET, '--wrap', '--wait', '-c', '3', '--path', '/a//b/', '--multipart-threshold', '8MiB', '--wait-timeout', '30', '--json', '-q']);

    // assess
    expect(call?.args[1]).toMatchObject({ apiUrl: 'http://localhost:3140', bucket: BUCKET, wrap: true, wait: true, concurrency: 3, path: 'a/b', multipartThreshold: 8 * 1024 * 1024, waitTimeout: 30, json: true, quiet: true });
  });

  it.each([
    [['upload', 'f'], /required option '-b, --bucket <uuid>' not specified/],
    [['upload', 'f', '-b', 'not-a-uuid'], /option '-b, --bucket <uuid>' argument 'not-a-uuid' is invalid. expected a UUID/],
    [['upload', 'f', '-b', BUCKET, '-c', '0'], /expected a whole number from 1 to 64/],
    [['upload', 'f', '-b', BUCKET, '-c', '2.5'], /expected a whole number from 1 to 64/],
    [['upload', 'f', '-b', BUCKET, '--multipart-threshold', 'lots'], /expected a size/],
    [['upload', 'f', '-b', BUCKET, '--path', 'a/../b'], /cannot contain "." or ".."/],
    [['upload', '-b', BUCKET], /missing required argument 'source'/],
    [['upload', 'f', '-b', BUCKET, '--colour'], /unknown option '--colour'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['rm', 'abc', '-b', BUCKET], /expected a UUID/],
    [['ipns', 'publish', BUCKET, '-b', BUCKET], /missing required argument 'cid'/],
  ])('refuses %j as a usage error (exit 2) naming the problem', async (argv, message) => {
    // act
    const { code, call, err } = await parse(argv);

    // assess
    expect(code).toBe(2);
    expect(call).toBeUndefined();
    expect(err).toMatch(message);
  });

  it('routes the other commands with their arguments', async () => {
    // act
    const ls = await parse(['ls', 'docs/2024', '-b', BUCKET, '--json']);
    const get = await parse(['get', 'bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq', '-o', '-']);
    const rm = await parse(['rm', BUCKET, '-b', BUCKET]);
    const create = await parse(['ipns', 'create', 'site', '-b', BUCKET, '--cid', 'bafy']);
    const publish = await parse(['ipns', 'publish', BUCKET, 'bafy', '-b', BUCKET]);
    const ipnsLs = await parse(['ipns', 'ls', '-b', BUCKET]);
    const login = await parse(['login', '--key', 'k', '--secret', 's']);

    // assess
    expect(ls.call).toMatchObject({ name: 'ls', args: ['docs/2024', { bucket: BUCKET, json: true }] });
    expect(get.call).toMatchObject({ name: 'get', args: ['bafybeid3weurg3gvyoi7nisadzolomlvoxoppe2sesktnpvdve3256n5tq', { output: '-' }] });
    expect(rm.call).toMatchObject({ name: 'rm', args: [BUCKET, { bucket: BUCKET }] });
    expect(create.call).toMatchObject({ name: 'ipnsCreate', args: ['site', { bucket: BUCKET, cid: 'bafy' }] });
    expect(publish.call).toMatchObject({ name: 'ipnsPublish', args: [BUCKET, 'bafy', { bucket: BUCKET }] });
    expect(ipnsLs.call).toMatchObject({ name: 'ipnsLs', args: [{ bucket: BUCKET }] });
    expect(login.call).toMatchObject({ name: 'login', args: [{ key: 'k', secret: 's' }] });
  });

  it('answers --help with exit 0', async () => {
    // act
    const { code, out } = await parse(['upload', '--help']);

    // assess
    expect(code).toBe(0);
    expect(out).toContain('--concurrency <n>');
  });

  it('reads sizes and bucket paths', () => {
    expect(parseSize('1048576')).toBe(1048576);
    expect(parseSize('1.5 GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('5GB')).toBe(5e9);
    expect(parseSize('64M')).toBe(64 * 1024 ** 2);
    expect(parseBucketPath('/site/v1/')).toBe('site/v1');
    expect(parseBucketPath('')).toBe('');
  });
});
