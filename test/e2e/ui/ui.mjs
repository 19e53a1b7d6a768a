// UI suite: what a person sees in the workbench, driven with Playwright (playwright-core + Debian
// chromium) against code-server. Each test waits for a state with a deadline and never sleeps blindly.
// Screenshots go to .e2e/screenshots/ (gitignored, overwritten every run); the README's pictures in
// docs/images/ are copied from there by hand.
import { join } from 'node:path';

const WAIT = 30_000;

/** Polls `probe` until it is truthy, for at most `ms`; throws with `what` otherwise. */
async function waitUntil(what, probe, ms = WAIT, every = 100) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

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
  /** @type {import('playwright-core').FrameLocator | undefined} */
  let simulation;

  const shot = (name) => page.screenshot({ path: join(shotsDir, name) });
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  // A webview is an iframe (class "webview") holding the page's own iframe (#active-frame).
  const webview = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  async function runCommand(label) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  /** Ctrl+P, type `path` ("dir/name"), pick the row of that file (not its .fixed twin, not another dir's). */
  async function openFile(path, textOnScreen) {
    const [dir, name] = path.split('/');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(path);
    const row = page.locator(`.quick-input-widget .monaco-list-row[aria-label^="${name},"], .quick-input-widget .monaco-list-row[aria-label^="${name} "]`)
      .filter({ hasText: dir }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
    await input.waitFor({ state: 'hidden' });
    await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible' });
    await page.locator('.editor-group-container.active .breadcrumbs-control', { hasText: dir }).waitFor({ state: 'visible' });
    await editor.locator('.view-lines', { hasText: textOnScreen }).waitFor({ state: 'visible' });
    const tab = await page.locator('.tabs-container .tab.active').getAttribute('aria-label');
    if (tab && /\.fixed/.test(tab) && !/\.fixed/.test(name)) throw new Error(`opened the wrong file: ${tab}`);
  }

  /** Hides the bottom panel (Problems) if it is open. */
  async function hidePanel() {
    const panel = page.locator('.part.panel');
    if (await panel.isVisible()) {
      await runCommand('View: Hide Panel');
      await panel.waitFor({ state: 'hidden' });
    }
  }

  /** Drags the sash above the bottom panel up so that the panel's top is at `top` px. */
  async function tallerPanel(top) {
    const panel = page.locator('.part.panel');
    const box = await panel.boundingBox();
    if (!box || box.y <= top) return;
    const x = box.x + box.width / 2;
    await page.mouse.move(x, box.y - 1);
    await page.mouse.down();
    await page.mouse.move(x, top, { steps: 5 });
    await page.mouse.up();
    await waitUntil('the panel to grow', async () => ((await panel.boundingBox())?.y ?? box.y) < box.y - 50, 3000);
    await page.mouse.move(x, top + 100, { steps: 3 }); // off the sash, so that it is not drawn highlighted
  }

  /** Hides the primary side bar (Explorer) if it is open. */
  async function hideSideBar() {
    const bar = page.locator('.part.sidebar');
    if (await bar.isVisible()) {
      await runCommand('View: Toggle Primary Side Bar Visibility');
      await bar.waitFor({ state: 'hidden' });
    }
  }

  /** The editor line (a `.view-line` element) whose text is `text`. */
  const viewLine = (text) => editor.locator('.view-line').filter({ hasText: text }).first();

  async function moveMouseAway(x = 1000, y = 650) {
    await page.mouse.move(x, y); // an empty spot: no hover, no tooltip
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
      await openFile('node-shell-form/Dockerfile', 'CMD node server.js');
      fileOpen = true;
    }],
    ['ui: the shell-form CMD has a warning squiggle', async () => {
      if (!fileOpen) throw new Error('the Dockerfile is not open');
      await editor.locator('.squiggly-warning').first().waitFor({ state: 'visible' });
      // The "Simulate stop" code lens above CMD comes with the analysis: wait for it (and for the picture).
      await editor.locator('.codelens-decoration', { hasText: 'Simulate stop (killed)' }).first().waitFor({ state: 'visible' });
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
    ['ui: the Problems panel lists STOP101, and the Compose and Kubernetes findings', async () => {
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
      // Compose, Kubernetes and start-script findings are listed too (files nobody opened).
      for (const [code, file] of [['STOP401', 'compose.yaml'], ['STOP301', 'deployment.yaml'], ['STOP201', 'start.sh']]) {
        await filter.fill(code);
        await page.locator('.markers-panel .monaco-list-row', { hasText: file }).first().waitFor({ state: 'visible' });
        await page.locator('.markers-panel .monaco-list-row', { hasText: code }).first().waitFor({ state: 'visible' });
      }
      // The picture: every finding in the workspace, in a panel grown up to just below the Dockerfile's
      // last line (best effort: the test does not depend on it).
      await filter.fill('');
      await tallerPanel(250).catch(() => undefined);
      await page.locator('.markers-panel .monaco-list-row', { hasText: 'STOP' }).nth(5).waitFor({ state: 'visible' });
      await moveMouseAway(1000, 150); // over the editor's empty part, not over a row (no tooltip)
      await shot('problems.png');
    }],
    ['ui: Ctrl+. on the STOP101 squiggle offers "Convert to exec form"; picking it removes the squiggle', async () => {
      if (!fileOpen) throw new Error('the Dockerfile is not open');
      await hidePanel();
      const squiggle = editor.locator('.squiggly-warning').first();
      await squiggle.waitFor({ state: 'visible' });
      // Put the cursor on the CMD line (this also focuses the editor), then ask for the quick fixes.
      await viewLine('CMD node server.js').click();
      await page.keyboard.press('Control+.');
      const rows = page.locator('.action-widget .monaco-list-row');
      const convert = rows.filter({ hasText: 'Convert to exec form' }).first();
      await convert.waitFor({ state: 'visible' });
      await rows.filter({ hasText: 'Ignore STOP101 on this line' }).first().waitFor({ state: 'visible' });
      const text = await convert.innerText();
      if (!text.includes('["node", "server.js"]')) throw new Error(`the fix's title: ${text}`);
      await page.mouse.move(1000, 650);
      await shot('quickfix.png');
      await convert.click();
      await rows.first().waitFor({ state: 'hidden' });
      await viewLine('CMD ["node", "server.js"]').waitFor({ state: 'visible' });
      // The diagnostic goes away, and with it the squiggle.
      await editor.locator('.squiggly-warning').first().waitFor({ state: 'detached' });
    }],
    ['ui: F1 "Stopcheck: Simulate stop" on python-and-list/Dockerfile shows the verdict and an "Apply fix" button', async () => {
      await hidePanel();
      await hideSideBar(); // more room for the editor and the simulation side by side
      await openFile('python-and-list/Dockerfile', 'CMD cd /srv/app && python main.py');
      await editor.locator('.codelens-decoration', { hasText: 'Simulate stop (killed)' }).first().waitFor({ state: 'visible' });
      await runCommand('Stopcheck: Simulate stop');
      await page.locator('.tabs-container .tab', { hasText: 'Simulate stop: Dockerfile' }).first().waitFor({ state: 'visible' });
      simulation = webview();
      await simulation.locator('.verdict', { hasText: 'Killed at the end of the grace period' }).waitFor({ state: 'visible' });
      await simulation.locator('h2', { hasText: 'Dockerfile' }).first().waitFor({ state: 'visible' });
      await simulation.locator('svg[aria-label="timeline"]').waitFor({ state: 'visible' });
      await simulation.getByRole('button', { name: /^Apply fix: .*exec/ }).waitFor({ state: 'visible' });
      await moveMouseAway();
      await shot('simulate.png');
    }],
    ['ui: "Apply fix" in the simulation inserts exec, and the verdict becomes "Graceful"', async () => {
      if (!simulation) throw new Error('the simulation is not open');
      await simulation.getByRole('button', { name: /^Apply fix: / }).click();
      // The click focuses the webview's editor group: look for the Dockerfile's editor in any group.
      await page.locator('.monaco-editor .view-line', { hasText: 'CMD cd /srv/app && exec python main.py' }).first().waitFor({ state: 'visible' });
      await webview().locator('.verdict', { hasText: /^Graceful$/ }).waitFor({ state: 'visible' });
      if (await webview().getByRole('button', { name: /^Apply fix: / }).count()) throw new Error('an "Apply fix" button is still shown');
      await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Simulate stop (graceful)' }).first().waitFor({ state: 'visible' });
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
