// Debian's Chromium driven by playwright-core. The harness launches it as a server and owns its process
// group; suites connect over the WebSocket endpoint, so the browser outlives no run even if a suite crashes.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { InfrastructureError } from './outcome.mjs';
import { stopGroup } from './processes.mjs';

const CHROMIUM = process.env.CORRAL_CHROMIUM || '/usr/bin/chromium';

// Headless and offline: no GPU, no QUIC, none of Chromium's own background traffic or first-run UI.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Fails early (before minutes of code-server install) when there is no browser to run the workbench in. */
export function checkBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new InfrastructureError(`Chromium not found at ${CHROMIUM}: apt-get install chromium, or set CORRAL_CHROMIUM`);
  }
}

/** Starts Chromium; `defer` registers its shutdown. Returns playwright's BrowserServer. */
export async function launchBrowserServer({ sandbox, defer }) {
  checkBrowser();
  let server;
  try {
    server = await chromium.launchServer({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      // Its profile, caches and ~/.pki land in the sandbox, not the home folder.
      env: sandbox.env(),
      // The harness decides when the browser goes; see session.mjs.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (error) {
    throw new InfrastructureError(`Chromium did not start from ${CHROMIUM}`, { cause: error });
  }
  const pid = server.process().pid;
  defer('chromium', async () => {
    await server.close().catch(() => undefined);
    await stopGroup(pid, { graceMs: 2_000 });
  });
  return server;
}

/** Starts Chromium and connects to it: the harness's own browser (code-server test runs). */
export async function launchBrowser({ sandbox, defer }) {
  const server = await launchBrowserServer({ sandbox, defer });
  return chromium.connect(server.wsEndpoint());
}
