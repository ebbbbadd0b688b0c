/**
 * The VS Code workbench as a person sees it, driven through the Chromium the harness started
 * (test/harness/run-e2e.mjs passes its endpoint and the workbench URL in the environment).
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

const WORKBENCH_TIMEOUT_MS = 60_000;
export const UI_TIMEOUT_MS = 30_000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e suites through test/harness/run-e2e.mjs`);
  return value;
}

export class Workbench {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    private readonly screenshotDir: string,
  ) {}

  /** Opens a fresh page on the workbench and waits until its activity bar is there. */
  static async open(): Promise<Workbench> {
    const browser = await chromium.connect(required('CORRAL_E2E_BROWSER'));
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(required('CORRAL_E2E_WORKBENCH_URL'));
    await page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
    await page.locator('.activitybar .action-item').first().waitFor({ timeout: WORKBENCH_TIMEOUT_MS });
    const screenshotDir = required('CORRAL_E2E_SCREENSHOTS');
    mkdirSync(screenshotDir, { recursive: true });
    return new Workbench(browser, page, screenshotDir);
  }

  /** An activity-bar entry by its title. Extensions on the server side appear a few seconds after the built-in ones. */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.activitybar .action-item a[aria-label^="${title}"]`).first();
  }

  /** The side bar's title: a single-view container shows its own name there instead of a view header. */
  sideBarTitle(): Locator {
    return this.page.locator('.part.sidebar .composite.title').first();
  }

  sideBar(): Locator {
    return this.page.locator('.part.sidebar');
  }

  /** A row of the Corral process view whose label (or description) matches. */
  treeRow(text: string | RegExp): Locator {
    const pattern = typeof text === 'string' ? new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : text;
    return this.sideBar()
      .locator('.monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: pattern }) })
      .first();
  }

  /**
   * A notification, looked up in the Notifications center (opened from the status-bar bell). The smoke-test
   * driver that lets the harness load the extension also turns notification toasts off, as in VS Code's
   * own UI tests, so the center is where they show.
   */
  async notification(text: string | RegExp): Promise<Locator> {
    const center = this.page.locator('.notifications-center');
    if (!(await center.isVisible())) {
      const bell = this.page.locator('[id="status.notifications"]');
      // The bell gets a dot once an unseen notification is there; opening the center before that races it.
      await bell.locator('.codicon-bell-dot').waitFor({ timeout: UI_TIMEOUT_MS });
      await bell.click();
    }
    await center.waitFor({ timeout: UI_TIMEOUT_MS });
    return center.locator('.monaco-list-row', { hasText: text }).first();
  }

  /** Runs a command by its palette title (e.g. "Corral: Show Version") from the F1 palette. */
  async runFromPalette(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input').first();
    // The palette can close again right after it opened (the workbench moving focus while it settles,
    // seen once in three runs): open it again rather than fail.
    for (let attempt = 1; ; attempt++) {
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT_MS });
        await input.fill(`>${title}`, { timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
        await this.page.keyboard.press('Escape');
      }
    }
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    await this.screenshot(`palette-${title.replace(/\W+/g, '-').toLowerCase()}`);
    await this.page.keyboard.press('Enter');
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(this.screenshotDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Disconnects; the harness stops Chromium itself. */
  async close(): Promise<void> {
    await this.browser.close();
  }
}
