// UI suite: what a person sees in the workbench, driven with Playwright (playwright-core + Debian
// chromium) against code-server. Each test waits for a state with a deadline and never sleeps blindly.
// Screenshots for the README go to test/e2e/screenshots/ (overwritten every run).
import { join } from 'node:path';

const WAIT = 30_000;

/**
 * @param {object} o
 * @param {import('playwright-core').Browser} o.browser
 * @param {string} o.url        workbench URL (folder + payload with the extension under development)
 * @param {string} o.shotsDir   where the README screenshots go
 * @param {string} o.failDir    where failure screenshots go
 * @param {(name: string, ok: boolean, details?: string) => void} o.report
 */
export async function runUiSuite({ browser, url, shotsDir, failDir, report }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  let fileOpen = false;

  const shot = (name) => page.screenshot({ path: join(shotsDir, name) });
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();

  async function runCommand(label) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  async function moveMouseAway() {
    await page.mouse.move(1000, 650); // an empty spot: no hover, no tooltip
  }

  const tests = [
    ['ui: the workbench loads', async () => {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      // The explorer shows the copied examples once the folder is open.
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'node-shell-form' }).first().waitFor({ state: 'visible' });
    }],
    ['ui: Ctrl+P opens node-shell-form/Dockerfile', async () => {
      await page.locator('.monaco-workbench').click({ position: { x: 640, y: 400 } }).catch(() => undefined);
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      await input.fill('node-shell-form/Dockerfile');
      // The row for the file itself, not Dockerfile.fixed.
      const row = page.locator('.quick-input-widget .monaco-list-row[aria-label^="Dockerfile,"], .quick-input-widget .monaco-list-row[aria-label^="Dockerfile "]').first();
      await row.waitFor({ state: 'visible' });
      await row.click();
      await page.locator('.tabs-container .tab.active', { hasText: 'Dockerfile' }).waitFor({ state: 'visible' });
      await editor.locator('.view-lines', { hasText: 'CMD node server.js' }).waitFor({ state: 'visible' });
      const tab = await page.locator('.tabs-container .tab.active').getAttribute('aria-label');
      if (tab && /Dockerfile\.fixed/.test(tab)) throw new Error(`opened the wrong file: ${tab}`);
      fileOpen = true;
    }],
    ['ui: the shell-form CMD has a warning squiggle', async () => {
      if (!fileOpen) throw new Error('the Dockerfile is not open');
      await editor.locator('.squiggly-warning').first().waitFor({ state: 'visible' });
      await moveMouseAway();
      await shot('squiggle.png');
    }],
    ['ui: hovering the squiggle explains the launch chain (PID 1)', async () => {
      if (!fileOpen) throw new Error('the Dockerfile is not open');
      const squiggle = editor.locator('.squiggly-warning').first();
      await squiggle.waitFor({ state: 'visible' });
      const box = await squiggle.boundingBox();
      if (!box) throw new Error('the squiggle has no box');
      // The squiggle is an overlay under the text: move the mouse over it rather than "hover" the element.
      await page.mouse.move(box.x + Math.min(box.width / 2, 40), box.y + box.height / 2);
      const hover = page.locator('.monaco-hover', { hasText: 'PID 1' }).first();
      await hover.waitFor({ state: 'visible', timeout: 20_000 });
      const text = await hover.innerText();
      if (!text.includes('launch chain')) throw new Error(`hover text: ${text.slice(0, 300)}`);
      // Let the hover's status bar settle ("Checking for quick fixes…" → "Quick Fix…") for the picture.
      await page.locator('.monaco-hover', { hasText: /Quick Fix|No quick fixes/ }).first()
        .waitFor({ state: 'visible', timeout: 5000 }).catch(() => undefined);
      await shot('hover.png');
      await moveMouseAway();
      await page.keyboard.press('Escape');
    }],
    ['ui: the Problems panel lists STOP101', async () => {
      if (!fileOpen) throw new Error('the Dockerfile is not open');
      await runCommand('View: Focus Problems');
      // The examples workspace has many problems and the list is virtualised: filter it to the rule.
      const filter = page.locator('.markers-panel-container .viewpane-filter input, .panel .viewpane-filter input').first();
      await filter.waitFor({ state: 'visible' });
      await filter.fill('STOP101');
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'node-shell-form' }).first().waitFor({ state: 'visible' });
      const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'STOP101' }).first();
      await row.waitFor({ state: 'visible' });
      const text = await row.innerText();
      if (!/stopcheck/.test(text)) throw new Error(`row without the stopcheck source: ${text}`);
      await moveMouseAway();
      await shot('problems.png');
    }],
  ];

  try {
    for (const [name, fn] of tests) {
      const t0 = Date.now();
      try {
        await fn();
        report(name, true, `${Date.now() - t0} ms`);
      } catch (e) {
        const file = join(failDir, `FAIL-${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
        await page.screenshot({ path: file }).catch(() => undefined);
        report(name, false, `${e?.stack ?? e}\n(screenshot: ${file})`);
      }
    }
  } finally {
    await context.close().catch(() => undefined);
  }
}
