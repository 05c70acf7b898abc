/**
 * Helpers for the Chromium tests: bounded waits, a table cell by row name, an action pressed
 * with the keyboard, the page's errors, and where screenshots go (a temp dir, or
 * LAB_SCREENSHOTS=docs/screenshots to refresh the README's pictures on purpose).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sleep } from '@fopnp/net/testing';
import type { Page } from 'playwright-core';

let shots: string | undefined;

/** One folder per test run; never the tracked docs/screenshots unless asked. */
export function shotsDir(): string {
  if (!shots) {
    const asked = process.env.LAB_SCREENSHOTS;
    shots = asked ? resolve(asked) : mkdtempSync(join(tmpdir(), 'topology-lab-shots-'));
    mkdirSync(shots, { recursive: true });
  }
  return shots;
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`,
  );
}

interface RowLike {
  children: ArrayLike<{ textContent: string | null }>;
}

/** Text of the cell in column `column` of the row whose first cell is `rowName`. */
export async function cell(
  page: Page,
  table: string,
  rowName: string,
  column: number,
): Promise<string | null> {
  return page.evaluate(
    ([t, name, col]) => {
      // Runs in the page: the browser's own DOM (this file is type-checked without DOM types).
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<RowLike> } })
        .document;
      const row = [...doc.querySelectorAll(`#${t} tbody tr`)].find(
        (r) => r.children[0]?.textContent === name,
      );
      return row ? (row.children[col]?.textContent ?? null) : null;
    },
    [table, rowName, column] as const,
  );
}

/** Presses an action's button with the keyboard (focus, Enter) and waits for its new marker. */
export async function click(page: Page, action: string, timeoutMs = 30_000): Promise<void> {
  const button = page.locator(`button[data-action="${action}"]`);
  await until(`button ${action} enabled`, () => button.isEnabled());
  const markers = page.locator(`#markers li[data-action="${action}"]`);
  const before = await markers.count();
  await button.focus();
  await page.keyboard.press('Enter');
  await until(`a new marker of ${action}`, async () => (await markers.count()) > before, timeoutMs);
}

/** Collects console errors and page errors (CSP violations among them); returns a reader. */
export function pageErrorsOf(page: Page): () => string {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return () => errors.join('\n');
}

/** Starts a scenario with its button (keyboard) and waits for it to end; returns its timeline. */
export async function runScenario(page: Page, id: string, timeoutMs: number): Promise<string[]> {
  const button = page.locator(`button[data-scenario="${id}"]`);
  await until(`scenario ${id} runnable`, () => button.isEnabled(), 20_000);
  await button.focus();
  await page.keyboard.press('Enter');
  await until(
    `scenario ${id} to start`,
    async () =>
      (await page.getAttribute('#scenario-state', 'data-scenario')) === id &&
      (await page.getAttribute('#scenario-state', 'data-state')) !== '',
  );
  const state = await until(
    `scenario ${id} to end`,
    async () => {
      const st = await page.getAttribute('#scenario-state', 'data-state');
      return st === 'passed' || st === 'failed' ? st : undefined;
    },
    timeoutMs,
  );
  const timeline = await page.$$eval('#timeline li', (lis) => lis.map((li) => li.textContent ?? ''));
  if (state !== 'passed') throw new Error(`scenario ${id} failed:\n${timeline.join('\n')}`);
  return timeline;
}
