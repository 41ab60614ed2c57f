// Shared parts of the browser checks: the server under test, the browser, checks, screenshots,
// axe-core. Each check file (smoke.mjs, hub.mjs, review.mjs) imports what it needs from here.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '..', '..');
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });
const axeSource = readFileSync(join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

const tally = { passed: 0, failed: 0 };

/** Records one check and prints it TAP-style. @param {boolean} ok @param {string} what */
export function check(ok, what) {
  if (ok) {
    tally.passed += 1;
    console.log(`ok - ${what}`);
  } else {
    tally.failed += 1;
    console.log(`FAIL - ${what}`);
  }
}

/** Records an exception that ended a run early. @param {unknown} error */
export function fail(error) {
  tally.failed += 1;
  console.log(`FAIL - ${error instanceof Error ? error.stack : error}`);
}

/** Prints the tally and exits non-zero if anything failed. */
export function finish() {
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  process.exit(tally.failed ? 1 : 0);
}

async function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {any} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts target/debug/carehub in a temp folder on a free loopback port (demo data), or uses
 * `BASE` when set. `kill` and `start` let a check drop and restore the server (null with BASE).
 * @param {Record<string, string>} [env] extra environment for the server
 */
export async function startServer(env = {}) {
  if (process.env.BASE) return { base: process.env.BASE, stop: async () => {}, kill: null, start: null };
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'carehub-browser-'));
  const base = `http://127.0.0.1:${port}`;
  /** @type {import('node:child_process').ChildProcess | null} */
  let child = null;
  async function start() {
    child = spawn(join(repo, 'target', 'debug', 'carehub'), [], {
      cwd: dir,
      env: {
        ...process.env,
        CAREHUB__SERVER__BIND: `127.0.0.1:${port}`,
        CAREHUB__MEDIA__UDP_BIND: '127.0.0.1:0',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; i < 150; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the server did not start');
  }
  async function kill() {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }
  await start();
  return {
    base,
    kill,
    start,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An HTTP client for the API as one demo user, for setting up what a check needs. @param {string} base */
export function apiClient(base) {
  /** @param {string} username */
  async function login(username) {
    const r = await fetch(`${base}/api/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: 'demo-password' }),
    });
    return (await r.json()).token;
  }
  /** @param {string} token @param {string} method @param {string} path @param {unknown} [body] */
  async function apiAs(token, method, path, body) {
    const r = await fetch(`${base}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  }
  return { login, apiAs };
}

/** Debian's chromium with a fake camera and microphone that need no permission prompt. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless=new', '--no-sandbox', '--disable-gpu',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--disable-background-networking', '--no-first-run', '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** Collects console errors and CSP violations of a page into a list. @param {import('playwright-core').Page} page @param {string} name @param {string[]} into */
export function watch(page, name, into) {
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) into.push(`${name}: ${m.text()}`);
  });
  page.on('pageerror', (e) => into.push(`${name}: ${e.message}`));
}

/** Fails unless the only console errors were expected HTTP refusals. @param {string[]} problems */
export function checkNoConsoleErrors(problems) {
  const unexpected = problems.filter((p) => !/Failed to load resource: the server responded with a status of (401|404|409|422)|net::ERR_INTERNET_DISCONNECTED|net::ERR_CONNECTION_REFUSED/.test(p));
  check(unexpected.length === 0, `no console errors or CSP violations${unexpected.length ? `\n    ${unexpected.join('\n    ')}` : ''}`);
}

/** Saves screenshots/<name>.png. @param {import('playwright-core').Page} page @param {string} name */
export async function shot(page, name) {
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** axe-core: no serious or critical violations. @param {import('playwright-core').Page} page @param {string} name */
export async function axe(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // @ts-ignore
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((/** @type {any} */ v) => v.impact === 'serious' || v.impact === 'critical')
      .map((/** @type {any} */ v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((/** @type {any} */ n) => n.target.join(' ')).join(', ')}`);
  });
  check(result.length === 0, `axe: no serious or critical violations on ${name}${result.length ? `\n    ${result.join('\n    ')}` : ''}`);
}

/** Signs a page in through the sign-in screen. @param {import('playwright-core').Page} page @param {string} base @param {string} username */
export async function signIn(page, base, username) {
  await page.goto(base);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Joins a call's video from a bare page with the client's own modules (js/live.js, js/call.js),
 * as the other party of a check that is about one screen. The call is left on
 * `window.__video` for the check to read (frames decoded, participants).
 * @param {import('playwright-core').Page} page @param {string} base @param {string} token @param {number} callId
 */
export async function joinVideoFromPage(page, base, token, callId) {
  await page.goto(base);
  await page.evaluate(async ({ token, callId }) => {
    const api = await import('/js/api.js');
    const { LiveChannel } = await import('/js/live.js');
    const { VideoCall, getLocalMedia } = await import('/js/call.js');
    api.setToken(token);
    const live = new LiveChannel(() => token);
    await new Promise((resolve) => {
      live.on('status', (m) => m.status === 'open' && resolve(null));
      live.connect();
    });
    const video = new VideoCall(live, callId, { localStream: await getLocalMedia() });
    /** @type {any} */ (window).__video = video;
    await video.join();
  }, { token, callId });
}
