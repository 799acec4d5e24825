/**
 * The web console in a real browser: headless Chromium (Debian's `chromium`; CHROMIUM_PATH overrides the
 * path) driven by playwright-core, against the run's shared local stack. Signs in with the API key and secret,
 * creates a bucket, drops a folder of 50 files onto the page (a real drag-and-drop of a directory through the
 * DevTools protocol, so the page walks it as it walks a folder a person drops), watches every file reach status 4,
 * opens one through the gateway, names the folder with IPNS, deletes a file; then the Quantum pages. A screenshot of each page is saved
 * to test-results/console/ (git-ignored), one of them also at 360 px wide.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => existsSync(candidate));
const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'console');
const FILE_COUNT = 50;

describe('the web console in headless Chromium', () => {
  let stack: Omit<LocalStack, 'stop'>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let folder: string;
  const bucketName = `console-e2e-${Date.now()}`;

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('Chromium is needed for this test: `apt-get install -y chromium` (or set CHROMIUM_PATH).');
    stack = await sharedLocalStack();
    mkdirSync(SHOTS, { recursive: true });
    folder = mkdtempSync(path.join(os.tmpdir(), 'console-drop-'));
    const site = path.join(folder, 'site');
    mkdirSync(path.join(site, 'pages'), { recursive: true });
    for (let i = 0; i < FILE_COUNT; i += 1) {
      // 40 files at the folder's top, 10 in a subfolder; small, distinct contents.
      const where = i < 40 ? site : path.join(site, 'pages');
      writeFileSync(path.join(where, `file-${String(i).padStart(2, '0')}.txt`), `file ${i} of the console drop test\n`);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await browser?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('signs in with the API key and secret, kept in sessionStorage only', async () => {
    // act
    await page.goto(`${stack.baseUrl}/console`);
    await shot('01-sign-in');
    await page.getByRole('textbox', { name: 'API key' }).fill(stack.credentials.apiKey);
    await page.getByRole('textbox', { name: 'API secret' }).fill(stack.credentials.apiSecret);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // assess
    await page.getByRole('heading', { name: 'Buckets', level: 1 }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('storage-console.session'))).toContain(stack.credentials.apiKey);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await context.cookies()).toEqual([]);
  });

  it('creates a bucket', async () => {
    // act
    await page.getByRole('textbox', { name: 'Name' }).fill(bucketName);
    await page.getByRole('button', { name: 'Create bucket' }).click();

    // assess
    await page.getByRole('link', { name: bucketName, exact: true }).waitFor();
    await shot('02-buckets');
  });

  it(`drops a folder of ${FILE_COUNT} files and sees each reach status 4`, async () => {
    // prepare
    await page.getByRole('link', { name: bucketName, exact: true }).click();
    await page.getByText('This folder is empty').waitFor();
    const zone = await page.getByTestId('dropzone').boundingBox();
    const at = { x: zone!.x + zone!.width / 2, y: zone!.y + zone!.height / 2 };
    const cdp = await context.newCDPSession(page);
    const data = { items: [], files: [path.join(folder, 'site')], dragOperationsMask: 1 };

    // act: the browser's own drag-and-drop of a directory from the file system
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, ...at, data });

    // assess
    await page.getByText(`of ${FILE_COUNT} at status 4`).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByTestId('uploads-done').textContent(), { timeout: 90_000, interval: 500 }).toBe(String(FILE_COUNT));
    await page.getByRole('link', { name: 'site/' }).click();
    await page.getByRole('link', { name: 'pages/' }).waitFor();
    await expect.poll(() => page.locator('tr[data-file-status="4"]').count(), { timeout: 10_000 }).toBe(40);
    await page.getByRole('heading', { name: bucketName, level: 1 }).waitFor();
    await shot('03-bucket-folder');
    await page.setViewportSize({ width: 360, height: 800 });
    await shot('03-bucket-folder-360px');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow, 'the page scrolls sideways at 360 px').toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('opens a file through the gateway, sandboxed, never on the console’s path', async () => {
    // prepare
    const row = page.locator('tr', { hasText: 'file-07.txt' });
    const link = await row.getByTestId('gateway-link').getAttribute('href');

    // act
    const [gatewayPage] = await Promise.all([context.waitForEvent('page'), row.getByTestId('gateway-link').click()]);
    const answer = await gatewayPage.waitForLoadState().then(() => gatewayPage.evaluate<string>('document.body.innerText'));

    // assess
    expect(new URL(link!).pathname).toMatch(/^\/ipfs\/b[a-z2-7]+$/);
    expect(answer.trim()).toBe('file 7 of the console drop test');
    expect(await gatewayPage.evaluate('window.opener')).toBeNull();
    const headers = (await fetch(link!)).headers;
    expect(headers.get('content-security-policy')).toMatch(/^sandbox/);
    await gatewayPage.close();
  });

  it('creates an IPNS name pointing at the dropped folder, with its link', async () => {
    // prepare: the folder's CID settles seconds after its last file reaches status 4 (its `cidPending`);
    // an IPNS name made from the page before that would point at a CID the folder no longer has.
    const buckets = await stack.request('/storage/buckets?limit=1000', { headers: stack.headers.basic });
    const bucketUuid = (buckets.body.data.items as { name: string; bucketUuid: string }[]).find((bucket) => bucket.name === bucketName)!.bucketUuid;
    await expect
      .poll(
        async () => {
          const content = await stack.request(`/storage/buckets/${bucketUuid}/content`, { headers: stack.headers.basic });
          const site = (content.body.data.items as { name: string; cidPending?: boolean; CID?: string | null }[]).find((item) => item.name === 'site');
          return site !== undefined && site.cidPending === false && Boolean(site.CID);
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toBe(true);
    await page.goto(`${stack.baseUrl}/console#/`);
    await page.getByRole('link', { name: bucketName, exact: true }).waitFor();
    await page.locator('tr', { hasText: bucketName }).getByRole('link', { name: 'IPNS names' }).click();
    await page.getByText('No IPNS names in this bucket yet.').waitFor();

    // act
    await page.getByRole('textbox', { name: 'Name' }).fill('site');
    await page.locator('form').first().getByLabel('Points at').selectOption({ label: 'site/' });
    await page.getByRole('button', { name: 'Create' }).click();

    // assess
    const link = page.locator('article', { hasText: 'site' }).getByRole('link', { name: /\/ipns\// });
    await link.waitFor();
    const listing = await fetch((await link.getAttribute('href'))!);
    expect(listing.status).toBe(200);
    await shot('05-ipns');
  });

  it('deletes a file', async () => {
    // prepare
    await page.goto(`${stack.baseUrl}/console#/`);
    await page.getByRole('link', { name: bucketName, exact: true }).click();
    await page.getByRole('link', { name: 'site/' }).click();

    // act
    await page.getByRole('button', { name: 'Delete file-03.txt' }).click();

    // assess
    await expect.poll(() => page.locator('tr', { hasText: 'file-03.txt' }).count(), { timeout: 10_000 }).toBe(0);
    await page.getByLabel('show files marked for deletion').check();
    await page.locator('tr', { hasText: 'file-03.txt' }).getByText('marked for deletion').waitFor();
    await shot('04-bucket-deleted');
  });

  it('signs in with a master key: Quantum buckets, a folder, a download link', async () => {
    // prepare
    const quantum = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await quantum.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${stack.baseUrl}/console`);
    await page.getByRole('tab', { name: 'Master key (Quantum)' }).click();
    await page.getByRole('textbox', { name: 'Master key' }).fill(stack.credentials.masterKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Quantum buckets' }).waitFor();

    // act
    await page.getByRole('textbox', { name: 'Name' }).fill(`q-${bucketName}`);
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.getByRole('link', { name: `q-${bucketName}` }).click();
    await page.locator('input[name=files]').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('a quantum note\n') });
    await page.getByRole('textbox', { name: 'Folder', exact: true }).fill('notes');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('status').filter({ hasText: /./ }).waitFor();
    await page.getByRole('region', { name: 'Download tokens' }).getByRole('textbox', { name: 'File' }).fill('notes/note.txt');
    await page.getByRole('button', { name: 'Get a link' }).click();
    const href = await page.getByRole('link', { name: 'download' }).getAttribute('href');

    // assess
    const download = await fetch(new URL(href!, stack.baseUrl));
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('a quantum note\n');
    await shot('06-quantum-bucket');
    await quantum.close();
  });
});
