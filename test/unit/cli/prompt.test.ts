/**
 * `storage login`'s questions (cli/prompt.ts): answers piped in one chunk (`printf 'KEY\nSECRET\n' | storage login`)
 * are all read, in order; an input that ends early is a clear failure, not a hang or an unsettled exit (13).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prompter } from '../../../cli/prompt';

const ROOT = path.resolve(__dirname, '../../..');
const home = mkdtempSync(path.join(os.tmpdir(), 'storage-cli-prompt-'));
const bundle = path.join(home, 'storage.mjs');
beforeAll(() => {
  // The CLI as its package bin runs it: the bundle scripts/build-cli.mjs writes (here to a file of this test's own).
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-cli.mjs'), bundle], { cwd: ROOT, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A port nothing listens on (taken from the system, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `storage <args>` (the bundle of the current sources), `stdin` written in one chunk, then closed. */
function storage(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], {
      cwd: home,
      env: { PATH: process.env.PATH, HOME: home, STORAGE_CLI_CONFIG: path.join(home, 'config.json') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('Prompter', () => {
  it('answers each question with its own line when every line came in one chunk', async () => {
    // prepare
    const input = new PassThrough();
    const output = new PassThrough();
    input.end('KEY\n  SECRET \n');
    const prompt = new Prompter(input, output);

    // act
    const key = await prompt.ask('API key: ');
    const secret = await prompt.ask('API secret: ', { hidden: true });
    prompt.close();

    // assess
    expect([key, secret]).toEqual(['KEY', 'SECRET']);
    expect(output.read(), 'no questions shown to a pipe').toBeNull();
  });

  it('answers undefined once the input has ended', async () => {
    // prepare
    const input = new PassThrough();
    input.end('KEY\n');
    const prompt = new Prompter(input, new PassThrough());

    // act
    const answers = [await prompt.ask('API key: '), await prompt.ask('API secret: ')];
    prompt.close();

    // assess
    expect(answers).toEqual(['KEY', undefined]);
  });
});

describe('storage login with piped answers', () => {
  it('reads the key and the secret from one chunk of stdin and goes on to check them', async () => {
    // prepare: an API that does not answer, so the check fails after the questions (it does not matter here)
    const apiUrl = `http://127.0.0.1:${await closedPort()}`;

    // act
    const login = await storage(['login', '--api-url', apiUrl], 'KEY\nSECRET\n');

    // assess
    expect(login.stderr).toMatch(/^error: GET \/storage\/info: /m);
    expect(login.code).toBe(1);
  }, 60_000);

  it('says both are needed when stdin ends after the key', async () => {
    // act
    const login = await storage(['login', '--api-url', 'http://127.0.0.1:1'], 'KEY\n');

    // assess
    expect(login.stderr).toMatch(/^error: an API key and an API secret are both needed/m);
    expect(login.code).toBe(1);
  }, 60_000);
});
