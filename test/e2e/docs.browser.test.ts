/**
 * The API reference in a real browser: headless Chromium (Debian's `chromium`; CHROMIUM_PATH overrides the path)
 * driven by playwright-core, against the run's shared local stack. /docs renders every operation of
 * docs/openapi.json with Swagger UI under the page's CSP (no violation reported), shows an operation's declared
 * answers, and a try-it request goes to this service and shows its answer. A screenshot is saved to
 * test-results/docs/ (git-ignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import document from '../../docs/openapi.json';
import type { LocalStack } from '../support/local-stack';
import { sharedLocalStack } from '../support/shared-local-stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => existsSync(candidate));
const SHOTS = path.resolve(__dirname, '..', '..', 'test-results', 'docs');
/** Swagger UI draws one block per operation, and per webhook (OpenAPI 3.1 `webhooks`). */
const OPERATIONS = [...Object.values(document.paths), ...Object.values(document.webhooks)].reduce((sum, operations) => sum + Object.keys(operations).length, 0);

describe('the API reference in headless Chromium', () => {
  let stack: Omit<LocalStack, 'stop'>;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('Chromium is needed for this test: `apt-get install -y chromium` (or set CHROMIUM_PATH).');
    stack = await sharedLocalStack();
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    // Every CSP violation the page reports (a refused script, style, image or request).
    await page.addInitScript(
      "globalThis.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => globalThis.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    );
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every operation (and webhook) of the document, with no CSP violation', async () => {
    // act
    await page.goto(`${stack.baseUrl}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    const violations = await page.evaluate('globalThis.cspViolations');

    // assess
    expect(await page.locator('.opblock').count()).toBe(OPERATIONS);
    expect(violations).toEqual([]);
    expect(problems.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
  });

  it('shows an operation’s declared answers, and a try-it request reaches this service', async () => {
    // prepare
    const operation = page.locator('#operations-quantum-getAPIStatus');

    // act
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();
    const live = operation.locator('.live-responses-table .response .response-col_status').first();
    await live.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SHOTS, 'reference.png'), fullPage: false });

    // assess
    expect((await live.textContent())?.trim()).toMatch(/^200\b/);
    expect(await operation.locator('.request-url').textContent()).toContain(`${stack.baseUrl}/API/status`);
    expect(await operation.locator('.responses-table tr.response').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^\s*500/)]));
  });
});
