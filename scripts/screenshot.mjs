// Takes a screenshot of an HTML file in headless Chromium, to look at what a
// person sees (the HTML timeline): node scripts/screenshot.mjs IN.html OUT.png [WIDTHxHEIGHT]
// Exits 3 with one line when no Chromium is installed (the test using it skips then).
// measure() lays the page out the same way and reads back, through the DOM,
// where each row of the timeline is and whether its label fits, so a test can
// hold the page to what a person relies on at a given window size.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
export const browser = () => BROWSERS.find((b) => existsSync(b)) ?? null;

/** Runs headless Chromium on a page at a window size with `args`; returns what it printed. */
function chromium(page, size, args) {
  const b = browser();
  if (!b) throw new Error('no Chromium installed (apt-get install chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'mvar-repro-chromium-'));
  try {
    return execFileSync(
      b,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--hide-scrollbars', `--user-data-dir=${profile}`, `--window-size=${size.replace('x', ',')}`, ...args, `file://${resolve(page)}`],
      { stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000, encoding: 'utf8', maxBuffer: 256 << 20 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export function screenshot(html, png, size = '1400x1000') {
  chromium(html, size, [`--screenshot=${resolve(png)}`]);
}

/**
 * Reads the laid-out timeline back from the DOM. It runs at the end of the
 * page, inside a frame of exactly the window size (a headless window is
 * never narrower than 500 px; a frame is, so a phone's 390 px applies), and
 * hands the result to the frame's parent, whose DOM Chromium prints.
 */
const PROBE = `<script>(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width }; };
  const shown = (el) => el.getClientRects().length > 0;
  const rows = [...document.querySelectorAll('#tl .lab')].filter(shown).map((lab) => {
    const bars = document.querySelector('svg.bars[data-row="' + lab.dataset.row + '"]');
    return { row: lab.dataset.row, text: lab.textContent.replace(/\\s+/g, ' ').trim(), cut: lab.scrollWidth > lab.clientWidth + 1, label: box(lab), bars: box(bars), folded: !!lab.querySelector('button.fold'), breaks: bars.querySelectorAll('rect.break').length, lost: bars.querySelectorAll('line.lost').length };
  });
  const out = parent.document.createElement('pre');
  out.id = 'mvar-repro-probe';
  out.textContent = JSON.stringify({ viewport: { width: innerWidth, height: innerHeight }, scrollWidth: document.documentElement.scrollWidth, rows });
  parent.document.body.append(out);
})();</script>`;

/** Where each row of a timeline page lies at a window size, and whether its label fits. */
export function measure(html, size = '1400x900') {
  const [w, h] = size.split('x');
  const dir = mkdtempSync(join(tmpdir(), 'mvar-repro-measure-'));
  try {
    writeFileSync(join(dir, 'page.html'), readFileSync(html, 'utf8').replace(/<\/body>/, `${PROBE}</body>`));
    writeFileSync(join(dir, 'frame.html'), `<!doctype html><html><body style="margin:0"><iframe src="page.html" style="border:0;width:${w}px;height:${h}px"></iframe></body></html>`);
    const dom = chromium(join(dir, 'frame.html'), '1400x1000', ['--allow-file-access-from-files', '--dump-dom']);
    const m = dom.match(/<pre id="mvar-repro-probe">([^<]*)<\/pre>/);
    if (!m) throw new Error('the page did not lay out (no probe result in the DOM)');
    return JSON.parse(m[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [html, png, size] = process.argv.slice(2);
  if (!html || !png) {
    console.error('usage: node scripts/screenshot.mjs IN.html OUT.png [WIDTHxHEIGHT]');
    process.exit(2);
  }
  if (!browser()) {
    console.error('screenshot: no Chromium installed (apt-get install chromium)');
    process.exit(3);
  }
  screenshot(html, png, size);
  console.log(png);
}
