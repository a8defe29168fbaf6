// The HTML timeline as a person sees it: laid out by headless Chromium at a
// laptop's 1400×900 and a phone's 390×844 (screenshots taken, and the DOM
// read back: every row on the screen, no label cut, alike rows folded with
// their count, the bars as wide as the page), on a real 50-process hang and
// on the committed good run. The page's structure — breaks only over rows
// still running, lost signals marked — is checked without a browser too.
// Set MVAR_REPRO_SCREENSHOTS=DIR to keep the PNGs.
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, ROOT, runFolders, tmp } from '../../../helpers.js';

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
  width: number;
}
interface Measured {
  viewport: { width: number; height: number };
  scrollWidth: number;
  rows: { row: string; text: string; cut: boolean; label: Box; bars: Box; folded: boolean; breaks: number; lost: number }[];
}
const shots = (await import(join(ROOT, 'scripts', 'screenshot.mjs'))) as {
  browser: () => string | null;
  screenshot: (html: string, png: string, size?: string) => void;
  measure: (html: string, size?: string) => Measured;
};

let hang: string;
const pages: Record<'hang' | 'good', string> = { hang: '', good: '' };

beforeAll(async () => {
  const dir = tmp();
  // To the deadline (--no-early): the silent tail after the last event is then long enough to be drawn as a break
  // (html-rows.ts draws none when it is shorter than a fraction of the active time, as an early proof's can be).
  const r = await cli(['run', '50', '--timeout', '3s', '--no-early', '--stacks', '0', '--report-dir', dir]);
  expect(r.code, r.stderr).toBe(1);
  [hang] = runFolders(dir) as [string];
  for (const [which, run] of [['hang', hang], ['good', 'fixed-n20']] as const) {
    pages[which] = join(tmp(), `${which}.html`);
    const e = await cli(['report', 'export', run, '--format', 'html', '-o', pages[which]], { cwd: ROOT });
    expect(e.code, e.stderr).toBe(0);
  }
}, 60_000);

/** Each strip of bars with its row's state (from the row's label). */
function strips(html: string): { row: string; state: string; body: string }[] {
  const states = new Map([...html.matchAll(/<div class="lab[^"]*" data-row="([^"]+)"[^>]*>.*?<span class="st">([^<]+)<\/span><\/div>/g)].map((m) => [m[1]!, m[2]!]));
  return [...html.matchAll(/<svg class="bars[^"]*" data-row="([^"]+)"[^>]*>(.*?)<\/svg>/g)].map((m) => ({ row: m[1]!, state: states.get(m[1]!)!, body: m[2]! }));
}

describe('the HTML timeline', () => {
  it('draws the break of the stuck tail only over rows still running or stuck, and marks the signals no waiter received', () => {
    const html = readFileSync(pages.hang, 'utf8');
    const all = strips(html);
    expect(all.length).toBeGreaterThan(0);
    for (const s of all) {
      if (s.state === 'done') expect(s.body, `row ${s.row}`).not.toMatch(/class="break"/);
      if (s.state === 'stuck') expect(s.body, `row ${s.row}`).toMatch(/class="break"/);
    }
    expect(html).toMatch(/<line [^>]*class="lost"><title>signal can(Take|Put) at [^<]* reached no waiter: \d+ process\(es\) were waiting/);
    expect(readFileSync(pages.good, 'utf8')).not.toMatch(/class="lost"/);
  });

  for (const size of ['1400x900', '390x844'])
    it(`reads at a glance at ${size}: every row on the screen, labels whole, alike rows folded with their count, bars as wide as the page`, (ctx) => {
      if (!shots.browser()) return ctx.skip('no Chromium installed (apt-get install chromium)');
      for (const which of ['hang', 'good'] as const) {
        const png = join(tmp(), `${which}-${size}.png`);
        shots.screenshot(pages[which], png, size);
        const img = readFileSync(png);
        expect(img.subarray(1, 4).toString()).toBe('PNG');
        if (process.env.MVAR_REPRO_SCREENSHOTS) {
          mkdirSync(process.env.MVAR_REPRO_SCREENSHOTS, { recursive: true });
          copyFileSync(png, join(process.env.MVAR_REPRO_SCREENSHOTS, `${which}-${size}.png`));
        }
        const m = shots.measure(pages[which], size);
        const [w, h] = size.split('x').map(Number) as [number, number];
        expect(m.viewport).toEqual({ width: w, height: h });
        expect(m.scrollWidth, 'no sideways scrolling').toBeLessThanOrEqual(w);
        expect(m.rows.length).toBeGreaterThan(0);
        // Every process is counted once: a row of its own, or in a folded row's count.
        const count = (text: string) => Number(/\((\d+)\)/.exec(text)?.[1] ?? 1);
        const processes = which === 'hang' ? 51 : 21;
        expect(m.rows.reduce((n, r) => n + (r.folded ? count(r.text) : 1), 0), which).toBe(processes);
        const folded = m.rows.filter((r) => r.folded);
        expect(folded.length, `${which}: alike rows are folded`).toBeGreaterThan(0);
        for (const r of folded) expect(r.text).toMatch(/^▸\s*(master|slave) [\d–, ]+.*\(\d+\)/);
        for (const r of m.rows) {
          expect(r.cut, `${which}: label "${r.text}" is cut`).toBe(false);
          expect(r.label.right, r.text).toBeLessThanOrEqual(w);
          expect(r.bars.bottom, `${which}: row "${r.text}" is below the screen`).toBeLessThanOrEqual(h);
          expect(r.bars.right, `${which}: the bars stop short of the page's right edge`).toBeGreaterThanOrEqual(w - 24);
        }
        // On a phone the bars take the whole width (the labels sit above them).
        if (w < 640) for (const r of m.rows) expect(r.bars.width).toBeGreaterThanOrEqual(w - 24);
      }
    }, 120_000);
});
