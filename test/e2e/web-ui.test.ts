import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser } from '../helpers/browser';
import {
  constantFeaturesManifest,
  manifestWithBrokenRows,
  png,
  sineWav,
  tempFolders,
  vectorManifest,
  writeFiles,
} from '../helpers/dataset-folder';
import { startServe, type ServedApp } from '../helpers/serve';
import { largeRunDatabase } from '../../bench/run-list';

/** Screenshots of every wizard step and view land here (the note cites them). */
export const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'test-output', 'screenshots');

const folders = tempFolders();
let app: ServedApp;
let context: BrowserContext;
let page: Page;
let problems: string[];

/** Opens the wizard on a new folder holding this manifest, and checks it. */
async function checkFolder(prefix: string, manifest: string): Promise<void> {
  const dir = folders.make(prefix);
  writeFiles(dir, { 'manifest.csv': manifest });
  await page.goto(app.url);
  await page.fill('#dataset-folder', dir);
  await page.keyboard.press('Enter');
}

/**
 * The README's three pictures of the app (the data check, the decision, the results), taken by this walk
 * through the wizard so they show the app as it is: the first screen of each step at 1280×800. Tracked in git.
 */
export const README_SCREENSHOTS = path.resolve(__dirname, 'screenshots');
const readmeShot = (name: string) => page.screenshot({ path: path.join(README_SCREENSHOTS, `${name}.png`) });

const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fs.mkdirSync(README_SCREENSHOTS, { recursive: true });
  app = await startServe(folders.make('e2e-home'));
  ({ context, page, problems } = await openBrowser(folders.make('e2e-profile')));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await app?.stop();
  folders.removeAll();
});

describe('the app in a browser, served by the web mode', () => {
  it('walks the whole wizard on a built-in dataset: data, check, settings, teachers, decision, training, results', async () => {
    await page.goto(app.url);
    await page.getByTestId('builtin-synthetic-mixed').waitFor();
    // The token left the address (and so the history) once the page had it.
    expect(page.url()).not.toContain('token');
    await page.getByTestId('builtin-synthetic-mixed').click();
    await expect.poll(() => page.inputValue('#dataset-folder')).toBe('synthetic-mixed');
    await shot('wizard-1-data');

    await page.getByRole('button', { name: 'Check the data' }).click();
    await page.getByTestId('class-counts').waitFor();
    await page.getByTestId('modality-a').getByRole('table').waitFor();
    // Vector features by their column names.
    expect(await page.getByTestId('modality-a').getByRole('table').innerText()).toMatch(/a\.f1\b/);
    expect(await page.getByTestId('class-counts').innerText()).toMatch(/all\s+\d+\s+\d+\s+\d+/);
    await shot('wizard-2-check');
    await readmeShot('data-check');

    await page.getByRole('button', { name: 'Continue to settings' }).click();
    // Before anything trains: the run's estimated time, from a few timed steps on this data.
    const estimate = page.getByTestId('run-estimate');
    await expect
      .poll(() => estimate.innerText(), { timeout: 60_000 })
      .toMatch(/Estimated time: at most about .+ batches an epoch on wasm/s);
    const totalOf = async () => (await estimate.innerText()).match(/at most about ([^(]+?)\s*\(/)?.[1];
    const atThirty = await totalOf();
    // Bad values are marked as they are typed, in the field's words, all at once; Train waits for them.
    await page.fill('#setting-teacherEpochs', '0');
    await page.fill('#setting-learningRate', '-1');
    expect(await page.locator('#setting-teacherEpochs').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('Teacher epochs must be a whole number from 1 to 10,000; 0 is not.').count()).toBe(1);
    expect(await page.getByText('Learning rate must be a number above 0 and at most 10; -1 is not.').count()).toBe(1);
    expect(await page.getByTestId('settings-problems').innerText()).toBe(
      'Fix these 2 settings before training: Teacher epochs, Learning rate.',
    );
    expect(await page.getByRole('button', { name: 'Train the teachers' }).isDisabled()).toBe(true);
    await page.fill('#setting-learningRate', '0.001');
    await page.fill('#setting-teacherEpochs', '4');
    expect(await page.getByTestId('settings-problems').count()).toBe(0);
    // The estimate follows the epochs as they are edited (30 → 4 teacher epochs: shorter).
    await expect.poll(totalOf).not.toBe(atThirty);
    await page.fill('#setting-epochs', '4');
    await page.selectOption('#setting-backend', 'wasm');
    // auto was measured on wasm here: naming wasm changes nothing; another batch size asks to measure again.
    expect(await estimate.getByRole('button', { name: 'Measure again' }).count()).toBe(0);
    await page.fill('#setting-batchSize', '32');
    await estimate.getByRole('button', { name: 'Measure again' }).waitFor();
    await page.fill('#setting-batchSize', '64');
    expect(await estimate.getByRole('button', { name: 'Measure again' }).count()).toBe(0);
    // "Also compare": the methods a run trains only when asked, from the engine's registry, each with its cost.
    const also = page.getByTestId('also-compare');
    await also.getByRole('checkbox').first().waitFor();
    expect(await also.innerText()).toMatch(/Auxiliary CE.*§4\.3.*Trains one fused network with a head per modality/s);
    expect(await also.innerText()).toContain('Modality dropout');
    await also.getByRole('checkbox', { name: /Auxiliary CE/ }).check();
    await page.getByText('Advanced settings').click();
    await page.fill('#setting-probeEpochs', '8');
    // The doctor's panel: every backend, the usable ones timed, the unusable ones with their reason.
    await page.getByRole('button', { name: 'Check the backends' }).click();
    await page.getByTestId('backend-wasm').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('backend-wasm').innerText()).toMatch(/wasm.*yes.*\d+(\.\d+)? ms/s);
    expect(await page.getByTestId('backend-check').getByRole('row').count()).toBe(6);
    // WebGPU names its adapter where there is one (CI: lavapipe), or says what to install.
    expect(await page.getByTestId('backend-webgpu').innerText()).toMatch(
      /webgpu\s+(yes.*adapter .+|no.*to use it, install the npm package webgpu)/s,
    );
    await shot('wizard-3-settings');

    await page.getByRole('button', { name: 'Train the teachers' }).click();
    await page.getByTestId('run-progress').waitFor();
    // The phase's time left and the whole run's (an upper estimate from the pace so far).
    await expect
      .poll(() => page.getByTestId('time-left').innerText(), { timeout: 60_000, interval: 100 })
      .toMatch(/left in this phase · at most about (\d+ s|\d+ min \d+ s) for the whole run/);
    await page.getByText('Teachers: accuracy').waitFor({ timeout: 60_000 });
    await shot('wizard-4-teachers');

    await page.getByTestId('choose-recommended').waitFor({ timeout: 120_000 });
    const recommended = await page.getByTestId('choose-recommended').innerText();
    expect(recommended).toMatch(/Continue with (UMT|UME) \(recommended\)/);
    expect(await page.getByTestId('linear-probe-accuracy').innerText()).toMatch(/\d+\.\d%/);
    await shot('wizard-5-decision');
    await readmeShot('decision');

    await page.getByTestId('choose-recommended').click();
    await page.getByRole('heading', { name: /6\. Training/ }).waitFor();
    await page.getByText('Late fusion (baseline): accuracy').waitFor({ timeout: 120_000 });
    await shot('wizard-6-training');

    await page.getByTestId('final-summary').waitFor({ timeout: 180_000 });
    await page.getByTestId('laziness-table').waitFor();
    expect(await page.getByTestId('final-summary').innerText()).toMatch(
      /Final model: (UMT|UME|Late fusion|Auxiliary CE|Teacher · [ab]), \d+\.\d% on the test split/,
    );
    expect(await page.getByTestId('run-time').innerText()).toMatch(/Finished: .* of training/);
    await shot('wizard-7-results');
    await readmeShot('results');
    // Trying the model at once: classify a folder (here the built-in's own, labels and all).
    const tryModel = page.getByTestId('try-model');
    await tryModel.locator('input[type="text"]').fill('relative/samples');
    expect(await tryModel.locator('.field-error').innerText()).toContain('is a relative path');
    await tryModel.locator('input[type="text"]').fill('synthetic-mixed');
    await tryModel.getByRole('button', { name: 'Classify' }).click();
    await tryModel.getByTestId('predictions').waitFor({ timeout: 60_000 });
    expect(await tryModel.getByTestId('prediction-summary').innerText()).toMatch(
      /^3000 samples classified by .+; \d+\.\d% correct where the folder gives a label/,
    );
    const firstRow = tryModel.getByTestId('predictions').locator('tbody tr').first();
    expect(await firstRow.locator('.probability').count()).toBe(3);
    expect(await firstRow.innerText()).toMatch(/\d+\.\d%/);
    await shot('wizard-7-try-model');

    const runs = await app.call<{ runs: { id: string; status: string; final: number; method: string }[] }>(
      'runs:list',
      {},
    );
    expect(runs.runs).toHaveLength(1);
    const [run] = runs.runs;
    const stored = await app.call<{
      decision: { method: string };
      finalChoice: { method: string; reason: string };
      candidates: { method: string; label: string }[];
    }>('runs:show', { id: run!.id });
    expect(stored.decision.method).toBe(recommended.includes('UMT') ? 'umt' : 'ume');
    expect(run).toMatchObject({ status: 'completed', method: stored.finalChoice.method });
    const shown = await page.getByTestId('final-summary').innerText();
    expect(shown).toContain(`${((run?.final ?? 0) * 100).toFixed(1)}%`);
    expect(shown).toContain(stored.candidates.find((c) => c.method === stored.finalChoice.method)!.label);
    // The reason the results page gives is the one the run recorded, built from its validation numbers.
    expect(await page.getByTestId('final-choice').innerText()).toContain(stored.finalChoice.reason);
    const rows = page.locator('[data-testid="test-accuracy-table"] tbody tr');
    expect(await rows.count()).toBe(stored.candidates.length);
    expect(
      await page
        .locator(`[data-testid="test-accuracy-table"] tr[data-method="${stored.finalChoice.method}"]`)
        .innerText(),
    ).toContain('final');
    // The method asked for in the settings trained as one more candidate.
    expect(stored.candidates.map((c) => c.method)).toContain('aux-ce');
    expect(await page.locator('[data-testid="test-accuracy-table"] tr[data-method="aux-ce"]').innerText()).toContain(
      'Auxiliary CE',
    );
    // Each candidate's training time: UME trains nothing beyond the teachers it averages.
    expect(await page.locator('[data-testid="test-accuracy-table"] tr[data-method="ume"]').innerText()).toContain(
      'none (uses the teachers)',
    );
    expect(await page.locator('[data-testid="test-accuracy-table"] tr[data-method="late-fusion"]').innerText()).toMatch(
      /\d+ s|< 1 s/,
    );
  }, 400_000);

  it('lists the run in the run browser and opens its page with the same numbers', async () => {
    await page.getByRole('link', { name: 'Open the run' }).click();
    await page.getByTestId('run-final').waitFor();
    const final = await page.getByTestId('run-final').innerText();
    await shot('run-page');
    // Any candidate can be tried from the run's page.
    const tryModel = page.getByTestId('try-model');
    await tryModel.getByRole('combobox').selectOption({ label: 'Late fusion' });
    await tryModel.locator('input[type="text"]').fill('synthetic-mixed');
    await tryModel.getByRole('button', { name: 'Classify' }).click();
    await expect
      .poll(
        () =>
          tryModel
            .getByTestId('prediction-summary')
            .innerText()
            .catch(() => ''),
        { timeout: 60_000 },
      )
      .toMatch(/classified by Late fusion; \d+\.\d% correct/);
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    const row = page.locator('[data-testid="runs-table"] tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.first().innerText()).toContain('synthetic-mixed');
    expect(await row.first().innerText()).toContain(final);
    expect(await row.first().innerText()).toContain('completed');
    await shot('run-browser');
  });

  it('compares two runs side by side, and shows a run with several seeds as mean ± sd', async () => {
    const { runId } = await app.call<{ runId: string }>('run:start', {
      dataset: 'synthetic-mixed',
      config: { backend: 'wasm', teacherEpochs: 2, epochs: 2, probeEpochs: 4, seed: 7, seeds: 2, method: 'ume' },
    });
    await expect
      .poll(async () => (await app.call<{ status: string }>('runs:show', { id: runId })).status, {
        timeout: 120_000,
        interval: 500,
      })
      .toBe('completed');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const boxes = page.locator('[data-testid="runs-table"] tbody input[type="checkbox"]');
    await expect.poll(() => boxes.count()).toBe(2);
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByTestId('compare-selected').click();
    const table = page.getByTestId('compare-table');
    await table.waitFor();
    expect(await table.locator('thead th').count()).toBe(3);
    expect(await table.innerText()).toContain('config: seed');
    expect(await table.innerText()).toContain('7, 8');
    // Every method of either run, with its accuracies, time and probes; the best of the runs marked per row.
    const methods = page.getByTestId('compare-methods');
    expect(await methods.innerText()).toMatch(
      /Late fusion: validation.*Late fusion: test.*Late fusion: training time.*Late fusion: probe of a/s,
    );
    expect(await methods.innerText()).toMatch(/UME: test/);
    expect(await methods.locator('.best-mark').count()).toBeGreaterThan(0);
    // The best value per row marked, and each value's difference from the first run's.
    const finalRow = table.locator('tbody tr', { hasText: 'Final (test)' });
    expect(await finalRow.locator('.best-mark').count()).toBe(1);
    expect(await finalRow.locator('td').nth(1).innerText()).toMatch(/[+−±]\d+\.\d pts/);
    expect(await table.locator('tbody tr', { hasText: 'Training time' }).locator('td').nth(1).innerText()).toMatch(
      /[+−±]\d+ s|[+−±]\d+ min/,
    );
    expect(await methods.locator('tbody tr').first().locator('td').nth(1).innerText()).toMatch(/[+−±]\d+\.\d pts/);
    await page.locator('.chart canvas').first().waitFor();
    await shot('compare');

    await page.evaluate((id) => {
      window.location.hash = `#/runs/${id}`;
    }, runId);
    const accuracy = page.getByTestId('test-accuracy-table');
    await accuracy.waitFor();
    const stored = await app.call<{
      candidates: { method: string; val: { mean: number; sd: number; perSeed: number[] } }[];
    }>('runs:show', { id: runId });
    const late = stored.candidates.find((c) => c.method === 'late-fusion')!;
    expect(late.val.perSeed).toHaveLength(2);
    expect(
      await page.locator('[data-testid="test-accuracy-table"] tr[data-method="late-fusion"]').innerText(),
    ).toContain(`${(late.val.mean * 100).toFixed(1)}% ± ${(late.val.sd * 100).toFixed(1)}`);
    expect(await page.getByText(/Accuracy of every model \(mean ± sd over seeds 7, 8\)/).count()).toBe(1);
    await shot('run-page-seeds');
  }, 200_000);

  it("shows a malformed dataset's errors with the file, line and fix", async () => {
    const dir = folders.make('malformed');
    writeFiles(dir, {
      'manifest.csv': vectorManifest(12)
        .replace('s2,cat,train,2,', 's2,cat,train,two,')
        .replace('s5,dog,train,5,2.5,', 's5,dog,train,5,'),
    });
    await page.getByRole('link', { name: 'New run' }).click();
    await page.getByRole('button', { name: /^1\s*Data$/ }).click();
    // A relative path is refused before anything is read, naming the absolute path expected.
    await page.fill('#dataset-folder', 'data/my-set');
    await page.getByRole('button', { name: 'Check the data' }).click();
    expect(await page.getByTestId('dataset-path-problem').innerText()).toMatch(
      /^"data\/my-set" is a relative path.*for example \/home\/you\/data\/my-set\.$/s,
    );
    await page.fill('#dataset-folder', dir);
    await expect.poll(() => page.getByTestId('dataset-path-problem').count()).toBe(0);
    await page.getByRole('button', { name: 'Check the data' }).click();
    const table = page.getByTestId('error-table');
    await table.waitFor();
    const text = await table.innerText();
    expect(text).toContain('non-numeric');
    expect(text).toMatch(/manifest\.csv, line 4, sample s2, column left\.a/);
    expect(text).toContain('wrong-field-count');
    expect(await page.getByTestId('error-count').innerText()).toMatch(/\d+ errors?/);
    expect(await page.getByRole('button', { name: 'Continue to settings' }).isDisabled()).toBe(true);
    await shot('wizard-2-errors');
    // Recent offers only folders that loaded: the built-in checked earlier, not this broken folder.
    await page.getByRole('link', { name: 'New run' }).click();
    await page.getByRole('button', { name: /^1\s*Data$/ }).click();
    const recent = page.locator('section', { has: page.getByRole('heading', { name: 'Recent' }) });
    expect(await recent.innerText()).toContain('synthetic-mixed');
    expect(await recent.innerText()).not.toContain(dir);
  });

  it("leaves out a few broken samples at the user's request and goes on, naming them and why", async () => {
    await checkFolder('broken-rows', manifestWithBrokenRows());
    await page.getByTestId('error-count').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('error-count').innerText()).toBe('3 errors');
    expect(await page.getByTestId('leave-out').innerText()).toBe('Leave out these 3 samples and continue');
    await page.getByTestId('leave-out').click();
    const leftOut = page.getByTestId('left-out');
    await leftOut.waitFor({ timeout: 30_000 });
    expect(await leftOut.innerText()).toMatch(/3 samples left out.*s20: .*s41: .*s5: .*left\.a/s);
    expect(await page.getByText('57 samples').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Continue to settings' }).isEnabled()).toBe(true);
    await shot('wizard-2-left-out');
  });

  it('flags constant and near-constant features in the data check, by column name', async () => {
    await checkFolder('constant-features', constantFeaturesManifest());
    const left = page.getByTestId('modality-left');
    await left.getByTestId('constant-features').waitFor({ timeout: 30_000 });
    expect(await left.getByTestId('constant-features').innerText()).toMatch(
      /^1 constant feature \(one value on all 80 training rows.*\): left\.flat\.$/,
    );
    expect(await left.getByTestId('near-constant-features').innerText()).toMatch(/left\.rare/);
    expect(await left.locator('tr.flagged').allInnerTexts()).toEqual([
      expect.stringContaining('left.flat (constant)'),
      expect.stringContaining('left.rare (near-constant)'),
    ]);
    expect(await page.getByTestId('modality-right').getByTestId('constant-features').count()).toBe(0);
    await shot('wizard-2-constant-features');
  });

  it('previews images as thumbnails and audio as spectrograms, and is usable from the keyboard', async () => {
    const dir = folders.make('pictures');
    const lines = ['id,label,photo,sound'];
    const files: Record<string, string | Uint8Array> = {};
    for (let i = 0; i < 12; i += 1) {
      files[`img/${i}.png`] = await png(12, 12, 3, i);
      files[`wav/${i}.wav`] = sineWav(1, 16_000, 300 + 200 * (i % 2));
      lines.push(`s${i},${i % 2 ? 'bird' : 'frog'},img/${i}.png,wav/${i}.wav`);
    }
    writeFiles(dir, { ...files, 'manifest.csv': `${lines.join('\n')}\n` });
    await page.goto(app.url);
    await page.getByRole('button', { name: /^1\s*Data$/ }).click();
    await page.focus('#dataset-folder');
    await page.fill('#dataset-folder', dir);
    await page.keyboard.press('Enter');
    // Three samples of each class, grouped by class, at a readable size; enlarged on click.
    const photos = page.getByTestId('modality-photo').locator('.thumbnails img');
    await expect.poll(() => photos.count(), { timeout: 30_000 }).toBe(6);
    expect(await page.getByTestId('modality-photo').getByTestId('class-group').allInnerTexts()).toEqual([
      expect.stringContaining('bird'),
      expect.stringContaining('frog'),
    ]);
    expect((await photos.first().boundingBox())?.height).toBeGreaterThanOrEqual(90);
    expect(await page.getByTestId('modality-sound').locator('.thumbnails img.spectrogram').count()).toBe(6);
    expect(await photos.first().getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await page.getByTestId('modality-photo').locator('button.thumbnail').first().click();
    const enlarged = page.getByTestId('modality-photo').getByTestId('enlarged');
    await enlarged.waitFor();
    expect((await enlarged.locator('img').boundingBox())?.width).toBeGreaterThan(300);
    expect(await enlarged.innerText()).toMatch(/Sample s\d+ · class bird · \w+ split/);
    await shot('wizard-2-enlarged');
    await enlarged.getByRole('button', { name: 'Close' }).click();
    await enlarged.waitFor({ state: 'hidden' });
    // Audio: a play button beside each spectrogram, playing the sample's own file.
    const play = page.getByTestId('modality-sound').getByTestId('play');
    expect(await play.count()).toBe(6);
    // Record what is played (headless Chromium may refuse to output sound; the clip must still load).
    await page.evaluate(() => {
      const original = HTMLMediaElement.prototype.play;
      HTMLMediaElement.prototype.play = function play(this: HTMLMediaElement) {
        (window as unknown as { played: HTMLMediaElement }).played = this;
        return original.call(this).catch(() => undefined);
      };
    });
    await play.first().click();
    expect(await page.evaluate(() => (window as unknown as { played: HTMLMediaElement }).played.src.slice(0, 22))).toBe(
      'data:audio/wav;base64,',
    );
    // The 1-second clip loads (the page's Content-Security-Policy lets data: audio through).
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { played: HTMLMediaElement }).played.duration), {
        timeout: 10_000,
      })
      .toBeCloseTo(1, 1);
    // Keyboard: Tab reaches the primary action, Enter activates it.
    const continueButton = page.getByRole('button', { name: 'Continue to settings' });
    for (let i = 0; i < 40 && !(await continueButton.evaluate((el) => el === document.activeElement)); i += 1)
      await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: '3. Settings' }).waitFor();
    await page.getByRole('button', { name: /^2\s*Check$/ }).click();
    await shot('wizard-2-preview');
  });

  it('cancels a run from the wizard and says how to continue it', async () => {
    await page.getByRole('button', { name: /^3\s*Settings$/ }).click();
    await page.fill('#setting-teacherEpochs', '200');
    await page.getByText('Advanced settings').click();
    await page.fill('#setting-patience', '200');
    await page.getByRole('button', { name: 'Train the teachers' }).click();
    // Cancelling asks first; "Keep training" leaves the run going.
    await page.getByRole('button', { name: 'Cancel run' }).click({ timeout: 30_000 });
    expect(await page.getByTestId('confirm-cancel').innerText()).toContain('Stop this run?');
    await page.getByRole('button', { name: 'Keep training' }).click();
    expect(await page.getByTestId('confirm-cancel').count()).toBe(0);
    const batchBefore = await page.getByTestId('run-progress').innerText();
    await expect.poll(() => page.getByTestId('run-progress').innerText(), { timeout: 30_000 }).not.toBe(batchBefore);
    expect(await page.getByText('Run cancelled.').count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('button', { name: 'Stop the run' }).click();
    await page.getByText('Run cancelled.').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('run-progress').innerText()).toContain('resumed');
  }, 60_000);

  it('resumes a run from its page and follows it live, asking again for the decision it had not been given', async () => {
    const { runId } = await app.call<{ runId: string }>('run:start', {
      dataset: 'synthetic-unimodal',
      config: { backend: 'wasm', teacherEpochs: 2, epochs: 2, probeEpochs: 2 },
      confirmDecision: true,
    });
    await expect
      .poll(async () => (await app.call<{ awaitingChoice: boolean }>('run:active', {})).awaitingChoice, {
        timeout: 60_000,
        interval: 250,
      })
      .toBe(true);
    await app.call('run:cancel', { runId });
    await expect
      .poll(async () => (await app.call<{ status: string }>('runs:show', { id: runId })).status, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe('cancelled');
    await page.goto(`${app.url}#/runs/${runId}`);
    await page.getByRole('button', { name: 'Resume' }).click();
    // The wizard follows the resumed run; it waits for the user as the original did.
    await page.getByTestId('choose-recommended').waitFor({ timeout: 60_000 });
    expect(await app.call('run:active', {})).toEqual({ runId, awaitingChoice: true });
    await page.waitForTimeout(1500);
    // Going against the recommendation: the run browser marks the run as overridden (next test).
    await page.getByTestId('choose-other').click();
    await page.getByTestId('final-summary').waitFor({ timeout: 120_000 });
    // Training time and the wait for the decision, apart.
    expect(await page.getByTestId('run-time').innerText()).toMatch(
      /Finished: (\d+ s|\d+ min \d+ s) of training, \d+ s waiting for your decision/,
    );
    await page.evaluate((id) => {
      window.location.hash = `#/runs/${id}`;
    }, runId);
    await page.getByTestId('run-final').waitFor();
    expect(await page.getByTestId('run-time').innerText()).toMatch(/of training, and \d+ s waiting for your decision/);
  }, 240_000);

  it('marks overridden runs, shows what a running run is doing, adds setting columns, and keeps notes', async () => {
    await page.goto(`${app.url}#/runs`);
    const table = page.getByTestId('runs-table');
    await table.waitFor();
    const overridden = (await app.call<{ runs: { id: string; overridden: boolean }[] }>('runs:list', {})).runs.filter(
      (r) => r.overridden,
    );
    expect(overridden.length).toBeGreaterThan(0);
    expect(await table.locator(`tr[data-run-id="${overridden[0]!.id}"]`).innerText()).toContain('override');
    expect(await table.locator('.badge.override').count()).toBe(overridden.length);
    // Columns of the user's choosing, kept across reloads, sortable.
    await page.getByTestId('column-picker').locator('summary').click();
    await page.getByTestId('column-picker').getByLabel('Teacher epochs').check();
    await page.getByTestId('column-picker').getByLabel('Backend used').check();
    await page.reload();
    await table.waitFor();
    expect(await table.locator('thead').innerText()).toMatch(/Backend used.*Teacher epochs/s);
    expect(await table.locator(`tr[data-run-id="${overridden[0]!.id}"]`).innerText()).toMatch(
      /\b2\b.*wasm|wasm.*\b2\b/s,
    );
    // A running run says what it is doing, live.
    const { runId } = await app.call<{ runId: string }>('run:start', {
      dataset: 'synthetic-mixed',
      config: { backend: 'wasm', teacherEpochs: 200, patience: 200, minEpochs: 200 },
    });
    await expect
      .poll(async () => await table.locator(`tr[data-run-id="${runId}"] [data-testid="run-live"]`).count(), {
        timeout: 30_000,
      })
      .toBe(1);
    await expect
      .poll(() => table.locator(`tr[data-run-id="${runId}"] [data-testid="run-live"]`).innerText(), { timeout: 30_000 })
      .toMatch(/Teacher · a( · seed 0)? · epoch \d+ of 200/);
    await app.call('run:cancel', { runId });
    await expect
      .poll(async () => (await app.call<{ status: string }>('runs:show', { id: runId })).status, { timeout: 30_000 })
      .toBe('cancelled');
    // Notes, edited on the run's page.
    await page.goto(`${app.url}#/runs/${runId}`);
    await page.locator('#run-note-text').fill('Stopped on purpose: checking the live progress.');
    await page.getByRole('button', { name: 'Save the note' }).click();
    await page.getByTestId('run-note').getByText('Saved.').waitFor();
    expect((await app.call<{ note: string }>('runs:show', { id: runId })).note).toBe(
      'Stopped on purpose: checking the live progress.',
    );
    await page.reload();
    await expect
      .poll(() => page.locator('#run-note-text').inputValue())
      .toBe('Stopped on purpose: checking the live progress.');
  }, 120_000);

  it('follows the dark setting of the operating system, or the theme chosen in the header (kept on reload)', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const DARK = 'rgb(20, 23, 27)';
    const LIGHT = 'rgb(246, 247, 249)';
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${app.url}#/runs`);
    await page.getByTestId('runs-table').waitFor();
    expect(await background()).toBe(DARK);
    await page.locator('[data-testid="runs-table"] tbody tr', { hasText: 'completed' }).first().locator('a').click();
    await page.getByTestId('run-final').waitFor();
    await page.getByTestId('laziness-table').waitFor();
    await shot('run-page-dark');
    // The header's switch overrides the OS setting, and the choice survives a reload.
    await page.getByTestId('theme-switch').selectOption('light');
    expect(await background()).toBe(LIGHT);
    await page.reload();
    await page.getByTestId('run-final').waitFor();
    expect(await background()).toBe(LIGHT);
    expect(await page.getByTestId('theme-switch').inputValue()).toBe('light');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('theme-switch').selectOption('dark');
    expect(await background()).toBe(DARK);
    // Back to the system's setting: follows it again, live.
    await page.getByTestId('theme-switch').selectOption('system');
    expect(await background()).toBe(LIGHT);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(background).toBe(DARK);
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it("serves the app's scripts and styles compressed", async () => {
    const encodings = new Map<string, string | undefined>();
    const listener = (response: import('playwright-core').Response) => {
      if (/\.(js|css)$/.test(new URL(response.url()).pathname))
        encodings.set(new URL(response.url()).pathname, response.headers()['content-encoding']);
    };
    page.on('response', listener);
    await page.goto(`${app.url}#/runs`);
    await page.getByTestId('runs-table').waitFor();
    page.off('response', listener);
    expect(encodings.size).toBeGreaterThan(0);
    for (const [file, encoding] of encodings) expect(encoding, file).toBe('br');
  });

  it('fits the confusion matrix of 30 classes in the page width', async () => {
    const dir = folders.make('thirty-classes');
    const rows = ['id,label,split,left.a,left.b,right.x,right.y'];
    for (let i = 0; i < 300; i += 1) {
      const c = i % 30;
      const split = ['train', 'train', 'train', 'train', 'train', 'train', 'val', 'val', 'test', 'test'][
        Math.floor(i / 30)
      ];
      rows.push(`s${i},class-with-a-long-name-${c},${split},${c},${(c * 7) % 30},${i % 5},${c % 3}`);
    }
    writeFiles(dir, { 'manifest.csv': `${rows.join('\n')}\n` });
    const { runId } = await app.call<{ runId: string }>('run:start', {
      dataset: dir,
      config: { backend: 'wasm', teacherEpochs: 1, epochs: 1, probeEpochs: 1, method: 'ume' },
    });
    await expect
      .poll(async () => (await app.call<{ status: string }>('runs:show', { id: runId })).status, {
        timeout: 120_000,
        interval: 500,
      })
      .toBe('completed');
    await page.evaluate((id) => {
      window.location.hash = `#/runs/${id}`;
    }, runId);
    const matrix = page.locator('figure.confusion');
    await matrix.waitFor();
    // Polled: until this run's data arrive, the page still shows the previous run's 3-class matrix.
    await expect.poll(() => matrix.locator('tbody tr').count(), { timeout: 10_000 }).toBe(30);
    const { scroll, width } = await matrix.evaluate((figure) => ({
      scroll: figure.scrollWidth,
      width: figure.clientWidth,
    }));
    expect(scroll).toBeLessThanOrEqual(width);
    // The page came from another run's page: its charts were redrawn with this run's axis range (all
    // accuracies here are far below the previous run's, so the old range would hide every bar).
    const run = await app.call<{ candidates: { val: { mean: number } | null; test: { mean: number } | null }[] }>(
      'runs:show',
      { id: runId },
    );
    const values = run.candidates.flatMap((c) => [c.val?.mean ?? 0, c.test?.mean ?? 0].map((v) => v * 100));
    // Polled: the chart redraws after the page's data arrive.
    const range = async () =>
      (
        (await page
          .locator('figure.chart', { hasText: 'Every model, validation and test' })
          .locator('canvas')
          .getAttribute('data-y-range')) ?? ''
      )
        .split('..')
        .map(Number);
    await expect
      .poll(
        async () => {
          const [low = NaN, high = NaN] = await range();
          return low <= Math.min(...values) && high >= Math.max(...values) && high <= Math.max(...values) + 30;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    await shot('confusion-30-classes');
  }, 180_000);

  it('pages, searches and sorts a long run history in the database, and compares runs picked on different pages', async () => {
    // 250 generated runs (bench/run-list.ts): half on synthetic-paired, final accuracies 50.0–74.9%.
    const database = largeRunDatabase(folders.make('history'), 250);
    const history = await startServe(folders.make('history-home'), { MODALITY_STUDIO_DB: database });
    try {
      const url = new URL(history.url);
      await page.goto(`${url.origin}/?${url.searchParams}#/runs`);
      const rows = page.locator('[data-testid="runs-table"] tbody tr');
      const range = page.getByTestId('runs-range');
      await expect.poll(() => range.innerText()).toBe('Runs 1–100 of 250');
      // A page holds one page of runs, never the whole history.
      expect(await rows.count()).toBe(100);
      await rows.nth(3).locator('input[type="checkbox"]').check();
      await page.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => range.innerText()).toBe('Runs 101–200 of 250');
      await rows.nth(5).locator('input[type="checkbox"]').check();
      await page.getByRole('button', { name: 'Next' }).click();
      await expect.poll(() => range.innerText()).toBe('Runs 201–250 of 250');
      expect(await rows.count()).toBe(50);
      // The database searches: half the runs are on synthetic-paired; a search starts again at the first page.
      await page.fill('#run-search', 'paired');
      await expect.poll(() => range.innerText()).toBe('Runs 1–100 of 125');
      // And sorts: the best final accuracy of all 125 comes first, not the best of a page.
      await page.getByRole('button', { name: 'Final accuracy' }).click();
      await expect.poll(() => rows.first().innerText()).toContain('74.8%');
      await page.fill('#run-search', '');
      await expect.poll(() => range.innerText()).toBe('Runs 1–100 of 250');
      // The two runs picked on pages 1 and 2 are still selected, and compare opens with both.
      await expect.poll(() => page.getByTestId('compare-selected').innerText()).toBe('Compare selected (2)');
      await page.getByTestId('compare-selected').click();
      await page.getByTestId('compare-table').waitFor();
      expect(await page.getByTestId('compare-table').locator('thead th').count()).toBe(3);
    } finally {
      // Back to the first app before this one stops: its event stream would otherwise be cut mid-response.
      await page.goto(app.url);
      await page.getByTestId('builtin-synthetic-mixed').waitFor();
      await history.stop();
    }
  }, 180_000);

  it('loaded every asset and broke no Content-Security-Policy rule', () => {
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('answers the API only with the token', async () => {
    expect((await fetch(`${app.origin}/api/call/runs:list`, { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await fetch(`${app.origin}/api/events`)).status).toBe(401);
    expect((await fetch(`${app.origin}/api/call/runs:list?token=wrong`, { method: 'POST', body: '{}' })).status).toBe(
      401,
    );
  });
});
