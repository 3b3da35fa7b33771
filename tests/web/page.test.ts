/**
 * The web page end to end, in a real browser (Debian's chromium through playwright-core) against
 * the real server on a port, with real faces: cut from the group photos that ship in the npm
 * package @vladmandic/face-api (see tests/server/face-photos.ts). Each page is screenshotted into
 * test-artifacts/web/.
 *
 * Cast: faces 0 and 1 of sample4 enrolled through the page as "ada" and "bob"; the probe of ada is
 * another shot of her face (mirrored, resized, recompressed); sample6's largest face is a stranger.
 */
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, atLeast } from '../helpers/checked.js';
import { boxesOf, call, cropFace, otherShot, photo } from '../server/face-photos.js';
import { API_KEY, startHarness, type Harness } from '../server/harness.js';
import { browserSuite, buildWebPage, launchBrowser, openTab, screenshot, type Tab } from './browser.js';

const suite = browserSuite('web page in chromium');

/** Face work on two shared cores: the first request starts the models. */
const SLOW = 120_000;

/** Pixels the page is wider than the window (page.evaluate runs it in the browser). */
const OVERFLOW = 'document.documentElement.scrollWidth - window.innerWidth';

const jpeg = (filename: string, buffer: Buffer) => ({ name: filename, mimeType: 'image/jpeg', buffer });

describe.skipIf(!suite.available)(suite.title, () => {
  let h: Harness;
  let browser: Browser;
  let tab: Tab;
  let page: Page;
  const photos = {} as Record<'group' | 'ada' | 'adaProbe' | 'bob' | 'stranger' | 'blank', Buffer>;

  beforeAll(async () => {
    buildWebPage();
    // Crops kept, so the search page can show each candidate's stored face.
    h = await startHarness({ keepFaceCrops: true });
    photos.group = await photo(4);
    const [first, second] = atLeast(await boxesOf(h, photos.group), 2);
    photos.ada = await cropFace(photos.group, first);
    photos.adaProbe = await cropFace(photos.group, first, otherShot);
    photos.bob = await cropFace(photos.group, second);
    const strangers = await photo(6);
    photos.stranger = await cropFace(strangers, at(await boxesOf(h, strangers), 0));
    // A photo of nothing: an even grey with a little noise.
    photos.blank = await sharp({ create: { width: 240, height: 240, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 8 } } })
      .jpeg()
      .toBuffer();
    browser = await launchBrowser();
    tab = await openTab(browser);
    page = tab.page;
  }, SLOW);

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  /** Opens the page on `hash` in the tab that holds the key. */
  async function open(hash: string): Promise<void> {
    await page.goto(`${h.server.url}/#/${hash}`);
    await page.getByRole('heading', { level: 2 }).first().waitFor();
  }

  it('serves the page and its files without a key, with a policy that keeps it to its own server; the API still needs the key', async () => {
    for (const path of ['/', '/assets/app.js', '/assets/app.css', '/assets/favicon.svg']) {
      const response = await fetch(`${h.server.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(response.headers.get('etag')).toMatch(/^"/);
      const again = await fetch(`${h.server.url}${path}`, { headers: { 'if-none-match': response.headers.get('etag') as string } });
      expect(again.status).toBe(304);
    }
    const html = await (await fetch(`${h.server.url}/`)).text();
    expect(html).toContain('/assets/app.js');
    expect(html).not.toMatch(/https?:\/\//);
    expect((await call(h, 'GET', '/galleries', undefined, null)).status).toBe(401);
  });

  it('asks for the key, refuses a wrong one in words, and opens with the right one', async () => {
    await page.goto(h.server.url);
    await page.getByLabel('API key').fill('not-the-key');
    await page.getByRole('button', { name: 'Open' }).click();
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('The server refused the API key.');
    expect(await alert.textContent()).toContain('Wrong API key');
    await screenshot(page, 'key-refused');

    await page.getByLabel('API key').fill(API_KEY);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    expect(await page.evaluate<string | null>("sessionStorage.getItem('facevault.apiKey')")).toBe(API_KEY);
    // Nothing else keeps it: not localStorage, not a cookie.
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    expect(await tab.context.cookies()).toEqual([]);
  });

  it('brings the key form back, saying why, when a key kept in the tab is refused', async () => {
    const other = await openTab(browser);
    try {
      await other.context.addInitScript("sessionStorage.setItem('facevault.apiKey', 'revoked-key')");
      await other.page.goto(`${h.server.url}/#/subjects`);
      await other.page.getByLabel('API key').waitFor();
      expect(await other.page.getByRole('alert').first().textContent()).toContain('The server refused the API key.');
      expect(await other.page.evaluate<string | null>("sessionStorage.getItem('facevault.apiKey')")).toBeNull();
    } finally {
      await other.context.close();
    }
  });

  it(
    'enrolls photos under a subject with progress, and says which failed and why',
    async () => {
      await open('enroll');
      await page.getByLabel('Subject (new or existing)').fill('ada');
      await page.setInputFiles('input[name=enroll]', [
        jpeg('ada.jpg', photos.ada),
        jpeg('group.jpg', photos.group),
        jpeg('empty-wall.jpg', photos.blank),
        jpeg('broken.jpg', Buffer.from('this is not a JPEG at all')),
        { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') },
      ]);
      await page.getByRole('button', { name: 'Enroll 5 photos' }).click();
      const summary = page.getByTestId('enroll-summary');
      await summary.waitFor({ timeout: SLOW });
      const text = await summary.textContent();
      expect(text).toContain('1 enrolled under “ada”, 0 already enrolled, 4 not enrolled (1 several faces, 1 no face, 1 unreadable, 1 not an image)');
      expect(text).toMatch(/group\.jpg: several faces/);
      expect(text).toMatch(/empty-wall\.jpg: no face/);
      expect(text).toMatch(/broken\.jpg: unreadable/);
      expect(text).toMatch(/notes\.txt: not an image/);
      expect(await page.locator('progress').getAttribute('value')).toBe('5');
      await screenshot(page, 'enroll');

      // bob, and ada's photo again: stored once.
      await page.getByLabel('Subject (new or existing)').fill('bob');
      await page.setInputFiles('input[name=enroll]', [jpeg('bob.jpg', photos.bob), jpeg('ada-again.jpg', photos.ada)]);
      await page.getByRole('button', { name: 'Enroll 2 photos' }).click();
      await expect.poll(() => summary.textContent(), { timeout: SLOW }).toContain('1 enrolled under “bob”, 1 already enrolled, 0 not enrolled');
      expect(await summary.textContent()).toContain('already in the gallery as “ada”');

      const subjects = await call(h, 'GET', '/galleries/default/subjects');
      expect(subjects.json.subjects).toEqual([
        { subject: 'ada', faces: 1 },
        { subject: 'bob', faces: 1 },
      ]);
    },
    SLOW,
  );

  it(
    'searches a photo: every face boxed, the enrolled ones named with distance and confidence, the others unknown; exact or approximate',
    async () => {
      await open('search');
      await page.setInputFiles('input[name=search]', jpeg('group.jpg', photos.group));
      const results = page.getByTestId('search-results');
      await results.waitFor({ timeout: SLOW });
      const faceCount = (await boxesOf(h, photos.group)).length;
      expect(faceCount).toBeGreaterThan(2);
      await expect.poll(() => page.locator('.box').count()).toBe(faceCount);
      expect(await page.locator('article.face').count()).toBe(faceCount);
      expect(await page.locator('.box.known').count()).toBe(2);
      expect(await page.locator('.box.unknown').count()).toBe(faceCount - 2);
      expect(await page.locator('article.face[data-face="1"] h3').textContent()).toBe('Face 1: ada');
      expect(await page.locator('article.face[data-face="2"] h3').textContent()).toBe('Face 2: bob');
      expect(await page.locator('article.face[data-face="3"] h3').textContent()).toBe('Face 3: unknown');
      expect(await page.locator('article.face[data-face="3"]').textContent()).toContain('Nobody in the gallery is close enough');
      // Candidates: subject, distance, and confidence as a bar with its number.
      const adaRow = page.locator('article.face[data-face="1"] tbody tr').first();
      expect(await adaRow.locator('td').first().textContent()).toBe('ada');
      expect(Number(await adaRow.locator('td').nth(1).textContent())).toBeLessThan(0.05);
      expect(Number(await adaRow.locator('meter').getAttribute('value'))).toBeGreaterThan(90);
      // The candidate's stored face, fetched with the key and shown beside the name.
      const thumbnail = adaRow.locator('img.thumbnail');
      await expect.poll(() => thumbnail.count(), { timeout: SLOW }).toBe(1);
      await expect.poll(() => thumbnail.evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBe(96);
      expect(await thumbnail.getAttribute('alt')).toBe('Stored face of ada');
      expect(await results.textContent()).toContain('exact search');
      await screenshot(page, 'search');

      await page.getByLabel(/^Approximate/).check();
      await expect.poll(() => results.textContent(), { timeout: SLOW }).toContain('approximate search');
      expect(await page.locator('article.face[data-face="1"] h3').textContent()).toBe('Face 1: ada');

      // The stranger alone: one face, unknown, with the nearest subjects shown as too far.
      await page.setInputFiles('input[name=search]', jpeg('stranger.jpg', photos.stranger));
      await expect.poll(() => page.locator('article.face').count(), { timeout: SLOW }).toBe(1);
      expect(await page.locator('article.face h3').textContent()).toBe('Face 1: unknown');
      expect(await page.locator('article.face tbody').textContent()).toContain('(too far)');
    },
    SLOW,
  );

  it(
    'compares two photos, picked by keyboard: the distance against the threshold on a scale',
    async () => {
      await open('compare');
      // Enter on the focused button opens the file chooser: seen here as the click it sends to the
      // file input (held back, as a headless browser has no dialog to show), then the file is set.
      const pick = async (picker: string, file: ReturnType<typeof jpeg>) => {
        await page.locator(`[data-picker="${picker}"]`).focus();
        await page.evaluate(
          `void (window.chooserOpened = new Promise((resolve) => document.querySelector('input[name=${picker}]')` +
            `.addEventListener('click', (event) => { event.preventDefault(); resolve(navigator.userActivation.isActive); }, { once: true })))`,
        );
        await page.keyboard.press('Enter');
        expect(await page.evaluate<boolean>('window.chooserOpened'), `Enter on ${picker}`).toBe(true);
        await page.setInputFiles(`input[name=${picker}]`, file);
      };
      await pick('compare-1', jpeg('ada.jpg', photos.ada));
      // Tab goes from the first picker's button to the second's.
      await page.locator('[data-picker="compare-1"]').focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate<string | null>("document.activeElement?.getAttribute('data-picker')")).toBe('compare-2');
      await pick('compare-2', jpeg('ada-other-shot.jpg', photos.adaProbe));
      const verdict = page.getByTestId('verdict');
      await verdict.waitFor({ timeout: SLOW });
      expect(await verdict.locator('h3').textContent()).toBe('Same person');
      expect(await verdict.textContent()).toMatch(/is within the threshold/);
      expect(await page.locator('.scale .mark.threshold').count()).toBe(1);
      expect(await page.locator('.box').count()).toBe(2);
      await screenshot(page, 'compare');

      await pick('compare-2', jpeg('bob.jpg', photos.bob));
      await expect.poll(() => verdict.locator('h3').textContent(), { timeout: SLOW }).toBe('Different people');
      expect(await verdict.textContent()).toMatch(/is beyond the threshold/);
    },
    SLOW,
  );

  it('compares a photo with no face, and says so in words', async () => {
    await open('compare');
    await page.setInputFiles('input[name=compare-1]', jpeg('ada.jpg', photos.ada));
    await page.setInputFiles('input[name=compare-2]', jpeg('wall.jpg', photos.blank));
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: SLOW });
    expect(await alert.textContent()).toContain('Comparison failed: No face was found in the photo.');
    expect(await alert.textContent()).toContain('img2');
  }, SLOW);

  it('lists subjects with counts, filters them, and renames one', async () => {
    await open('subjects');
    await page.locator('tr[data-subject="bob"]').waitFor();
    expect(await page.locator('tbody tr').allTextContents()).toEqual([expect.stringMatching(/^ada1/), expect.stringMatching(/^bob1/)]);
    await page.getByLabel('Find a subject').fill('BO');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Find a subject').fill('');

    await page.getByRole('button', { name: 'Rename bob' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New name').fill('ada');
    expect(await dialog.textContent()).toContain('“ada” already exists: use Merge');
    expect(await dialog.getByRole('button', { name: 'Rename' }).isDisabled()).toBe(true);
    await dialog.getByLabel('New name').fill('robert');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await page.locator('tr[data-subject="robert"]').waitFor();
    expect(await page.getByRole('status').textContent()).toContain('Renamed “bob” to “robert” (1 face)');
    expect((await call(h, 'GET', '/galleries/default/subjects')).json.subjects).toEqual([
      { subject: 'ada', faces: 1 },
      { subject: 'robert', faces: 1 },
    ]);
  });

  it('erases a subject only after a confirmation that says erasure is permanent', async () => {
    await open('subjects');
    await page.getByRole('button', { name: 'Erase robert' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByTestId('erase-warning').textContent()).toMatch(/Erasure is permanent: the one face of “robert” is deleted.*cannot be undone/);
    await screenshot(page, 'subjects-erase');
    // Escape cancels: nothing is erased.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await call(h, 'GET', '/galleries/default/subjects')).json.subjects).toHaveLength(2);

    await page.getByRole('button', { name: 'Erase robert' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Erase permanently' }).click();
    await page.locator('tr[data-subject="robert"]').waitFor({ state: 'detached' });
    expect(await page.getByRole('status').textContent()).toContain('Erased “robert”: 1 face deleted permanently.');
    expect((await call(h, 'GET', '/galleries/default/subjects')).json.subjects).toEqual([{ subject: 'ada', faces: 1 }]);
    await screenshot(page, 'subjects');
  });

  it('lists the indexes with their statistics', async () => {
    await open('indexes');
    const card = page.locator('[data-index="faces-faceplugin-arcface"]');
    await card.waitFor();
    const text = await card.textContent();
    expect(text).toContain('Dimension512');
    expect(text).toContain('Metriccosine');
    expect(text).toContain('Records1');
    expect(await card.locator('.namespaces tbody').textContent()).toBe('default1');
    await screenshot(page, 'indexes');
  });

  it('merges one subject into another after saying it cannot be undone', async () => {
    expect((await call(h, 'POST', '/register', { img: photos.stranger.toString('base64'), img_name: 'cy' })).status).toBe(200);
    await open('subjects');
    await page.getByRole('button', { name: 'Merge cy' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByLabel('Into').inputValue()).toBe('ada');
    expect(await dialog.textContent()).toContain('A merge cannot be undone');
    await dialog.getByRole('button', { name: 'Merge for good' }).click();
    await page.locator('tr[data-subject="cy"]').waitFor({ state: 'detached' });
    expect(await page.getByRole('status').textContent()).toContain('Merged “cy” into “ada” (1 face moved).');
    expect((await call(h, 'GET', '/galleries/default/subjects')).json.subjects).toEqual([{ subject: 'ada', faces: 2 }]);
  });

  it(
    'fits a phone-sized screen',
    async () => {
      const phone = await openTab(browser, { width: 390, height: 844 });
      try {
        await phone.context.addInitScript(`sessionStorage.setItem('facevault.apiKey', ${JSON.stringify(API_KEY)})`);
        await phone.page.goto(`${h.server.url}/#/search`);
        await phone.page.setInputFiles('input[name=search]', jpeg('group.jpg', photos.group));
        await phone.page.getByTestId('search-results').waitFor({ timeout: SLOW });
        const overflow = await phone.page.evaluate<number>(OVERFLOW);
        expect(overflow).toBeLessThanOrEqual(0);
        await screenshot(phone.page, 'search-phone');
        for (const hash of ['enroll', 'compare', 'subjects', 'indexes']) {
          await phone.page.goto(`${h.server.url}/#/${hash}`);
          await phone.page.getByRole('heading', { level: 2 }).first().waitFor();
          expect(await phone.page.evaluate<number>(OVERFLOW), hash).toBeLessThanOrEqual(0);
        }
        expect(phone.pageErrors).toEqual([]);
      } finally {
        await phone.context.close();
      }
    },
    SLOW,
  );

  it('reached nothing but its own server, and threw nothing', () => {
    expect(tab.requested.length).toBeGreaterThan(10);
    for (const url of tab.requested) expect(url.startsWith(h.server.url) || url.startsWith('blob:') || url.startsWith('data:'), url).toBe(true);
    expect(tab.pageErrors).toEqual([]);
  });
});
