/**
 * Folder enrollment through the page with real labelled photos: DeepFace's test images from the
 * shared datasets folder (FACEVAULT_DATASETS, default ../shared/datasets; skipped, saying so,
 * where it or chromium is missing). A folder of one person's photos plus a couple photo is
 * enrolled with "Choose a folder…", then a photo of her that was not enrolled is searched.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDataset } from '../helpers/datasets.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { API_KEY, startHarness, type Harness } from '../server/harness.js';
import { browserSuite, buildWebPage, launchBrowser, openTab, screenshot } from './browser.js';

const deepface = findDataset('deepface', 'identities.csv', "DeepFace's test images");
const browser = browserSuite('folder enrollment in chromium');
const title = deepface.dir ? browser.title : deepface.title;

/** Angelina (identity id00 of identities.csv): enrolled from a folder, and one photo kept back as the probe. */
const ENROLLED = ['img1.jpg', 'img2.jpg', 'img4.jpg', 'img5.jpg', 'img6.jpg'];
const PROBE = 'img7.jpg';

describe.skipIf(!deepface.dir || !browser.available)(title, () => {
  let h: Harness;
  let chromium: Browser;
  const tmp = makeTempDir('facevault-web-folder-');

  beforeAll(async () => {
    buildWebPage();
    h = await startHarness();
    chromium = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await h?.stop();
    tmp.cleanup();
  });

  it('enrolls a folder under one subject, reports the couple photo, and finds her in a photo it never saw', async () => {
    const images = join(deepface.dir as string, 'images');
    const folder = join(tmp.dir, 'angelina');
    mkdirSync(folder);
    for (const name of [...ENROLLED, 'couple.jpg']) copyFileSync(join(images, name), join(folder, name));

    const { context, page, pageErrors } = await openTab(chromium);
    await context.addInitScript(`sessionStorage.setItem('facevault.apiKey', ${JSON.stringify(API_KEY)})`);
    await page.goto(`${h.server.url}/#/enroll`);
    await page.getByLabel('Subject (new or existing)').fill('angelina');
    await page.setInputFiles('input[name=enroll-folder]', folder);
    await page.getByRole('button', { name: `Enroll ${ENROLLED.length + 1} photos` }).click();
    const summary = page.getByTestId('enroll-summary');
    await summary.waitFor({ timeout: 120_000 });
    expect(await summary.textContent()).toContain(`${ENROLLED.length} enrolled under “angelina”, 0 already enrolled, 1 not enrolled (1 several faces)`);
    expect(await summary.textContent()).toMatch(/angelina\/couple\.jpg: several faces/);
    await screenshot(page, 'enroll-folder');

    await page.goto(`${h.server.url}/#/search`);
    await page.setInputFiles('input[name=search]', { name: PROBE, mimeType: 'image/jpeg', buffer: readFileSync(join(images, PROBE)) });
    await page.getByTestId('search-results').waitFor({ timeout: 120_000 });
    expect(await page.locator('article.face[data-face="1"] h3').textContent()).toBe('Face 1: angelina');
    expect(pageErrors).toEqual([]);
    await context.close();
  }, 180_000);
});
