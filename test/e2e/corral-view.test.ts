/** What a person sees of Corral in the workbench: its activity-bar entry, the process view, the palette. */
import { VERSION } from '../../src/shared/version';
import { UI_TIMEOUT_MS, Workbench } from './workbench';

describe('Corral in the workbench', function () {
  let workbench: Workbench | undefined;

  before(async function () {
    workbench = await Workbench.open();
    // The extension is loaded on the server side, a few seconds after the built-in ones: its
    // activity-bar entry appearing means its contributions, commands included, are registered.
    await workbench.activityBarItem('Corral').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && workbench) {
      await workbench.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-')}`).catch(() => undefined);
    }
  });

  after(async function () {
    await workbench?.close();
  });

  it('opens the Corral view from the activity bar and shows the empty process view', async function () {
    const ui = workbench!;
    await ui.activityBarItem('Corral').click();
    await ui.sideBarTitle().filter({ hasText: /corral/i }).waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.sideBar().getByText('No processes are running under Corral yet.').waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('corral-view');
  });

  it('runs Corral: Show Version from the F1 palette', async function () {
    const ui = workbench!;
    await ui.runFromPalette('Corral: Show Version');
    await (await ui.notification(`Corral ${VERSION}`)).waitFor({ timeout: UI_TIMEOUT_MS });
    await ui.screenshot('show-version');
  });
});
