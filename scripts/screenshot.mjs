// Takes a screenshot of an HTML file in headless Chromium, to look at what a
// person sees (the HTML timeline): node scripts/screenshot.mjs IN.html OUT.png [WIDTHxHEIGHT]
// Exits 3 with one line when no Chromium is installed (the test using it skips then).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
export const browser = () => BROWSERS.find((b) => existsSync(b)) ?? null;

export function screenshot(html, png, size = '1400x1000') {
  const b = browser();
  if (!b) throw new Error('no Chromium installed (apt-get install chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'mvar-repro-chromium-'));
  try {
    execFileSync(
      b,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
        `--user-data-dir=${profile}`, `--window-size=${size.replace('x', ',')}`, `--screenshot=${resolve(png)}`, `file://${resolve(html)}`],
      { stdio: 'ignore', timeout: 60_000 },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
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
