// End to end: a scheduled run that failed is seen the next time the window opens (issue 17, item 4).
// The built CLI's send-new runs as a schedule would, against a registry port where nothing listens,
// and records each file's failure in the history; the window then opens on the same data folder and
// its banner says which file was not sent and why, until the user has read it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonFileSettings } from '../../electron/engine/settings/settings-store';
import { cliEnv, runCli } from '../support/cli-runner';
import { hl7Batch } from '../support/hl7-samples';
import { freePort } from '../support/ports';
import { localTexasProfile } from '../support/sshd';
import { openApp, shot, type AppPage } from './bridge';

let scratch: string;
const opened: AppPage[] = [];
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'rt-e2e-missed-'));
});
afterAll(async () => {
  for (const app of opened.splice(0)) await app.close();
  rmSync(scratch, { recursive: true, force: true });
});

const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });

describe('failures of scheduled runs', () => {
  it('are shown once the window opens, with the file and the reason, until read', async () => {
    const dataDir = join(scratch, 'data');
    const port = await freePort();
    const profile = localTexasProfile(port);
    // The window was used before: what failed before that is old news.
    const settings = new JsonFileSettings(join(dataDir, 'config.json'));
    settings.set('customProfiles', [profile]);
    const first = await openApp({ settings, ports: { dataDir, localPlaces: () => [] } });
    opened.push(first);
    expect(await first.page.locator('.missed-banner').count()).toBe(0);
    await first.close();
    opened.splice(opened.indexOf(first), 1);

    // Meanwhile the scheduled run finds the registry unreachable.
    const exportDir = join(scratch, 'EHR Export');
    mkdirSync(exportDir);
    const name = 'TXMISS_20261204.HL7';
    writeFileSync(join(exportDir, name), hl7Batch({ importCode: 'TXMISS', messages: 2, variant: 'missed' }));
    const profileFile = join(scratch, 'profile.json');
    writeFileSync(profileFile, JSON.stringify(profile));
    const run = await runCli(['send-new', exportDir, '--profile', profileFile, '--user', 'TXMISS', '--password-env', 'RT_PASSWORD', '--data-dir', dataDir], cliEnv(scratch, 'Some-password-1!'));
    expect(run.code).toBe(1);

    const app = await openApp({ settings: new JsonFileSettings(join(dataDir, 'config.json')), ports: { dataDir, localPlaces: () => [] } });
    opened.push(app);
    const banner = app.page.getByRole('region', { name: /was not sent while this window was closed/ });
    await eventually(() => banner.isVisible()).toBe(true);
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('A file was not sent while this window was closed.');
    expect(text).toContain(name);
    expect(text).toContain(`port ${port}`);
    expect(text).toContain('Check my connection');
    await shot(app.page, '71-missed-failures-banner.png');
    await banner.getByRole('button', { name: 'Got it' }).click();
    await eventually(() => banner.count()).toBe(0);

    // Read: not shown again.
    const again = await openApp({ settings: new JsonFileSettings(join(dataDir, 'config.json')), ports: { dataDir, localPlaces: () => [] } });
    opened.push(again);
    await again.page.getByRole('button', { name: 'Connect', exact: true }).waitFor();
    expect(await again.page.locator('.missed-banner').count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});
