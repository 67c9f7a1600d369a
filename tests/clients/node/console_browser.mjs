#!/usr/bin/env node
// The admin console in a real browser: Debian's chromium (headless, through playwright-core)
// against a running Latchkey server whose console asks for sign-in. The operator signs in on
// the managed login page (a member of the admin group of the console's pool), finds a user
// with the search form, and through the console's confirmation pages (forms with CSRF tokens,
// a ticked box) disables the user, resets the password and adds the user to a group. Fields
// are found by their labels (getByLabel), so every field used has one. The caller checks the
// changes through the AWS SDK afterwards.
//
// Each main page (pools, a pool, users, one user, groups, identity pools, outbox, token
// inspector, and a confirmation page) is screenshotted into --shots and checked with axe-core
// (--axe, default node_modules/axe-core/axe.min.js, evaluated in the page): any violation of impact serious
// or critical fails the run; every violation is printed.
//
// Run with --help for the arguments. Exits non-zero with a message naming the failed check.

import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const USAGE = `usage: node console_browser.mjs --base URL --pool-id P --pool-name N --operator U
         --password PW --user U --other-user U --search-prefix S --group G --token JWT
         --shots DIR [--axe PATH] [--chromium PATH]

  --base           the server's base URL (http://127.0.0.1:PORT)
  --pool-id, --pool-name   the console's (admin) pool
  --operator, --password   a member of the pool's admin group, and its password
  --user           the user to find (by an email prefix), disable, reset and add to --group
  --other-user     a user the search must not find
  --search-prefix  the start of --user's email address (not of --other-user's)
  --group          a group of the pool --user is not in
  --token          an ID token of the pool, for the token inspector
  --shots          where the screenshots go (made if missing)
  --axe            axe-core's axe.min.js (default node_modules/axe-core/axe.min.js)
  --chromium       the browser (default /usr/bin/chromium, see scripts/browser.sh)
`;

const { values: args } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    base: { type: 'string' },
    'pool-id': { type: 'string' },
    'pool-name': { type: 'string' },
    operator: { type: 'string' },
    password: { type: 'string' },
    user: { type: 'string' },
    'other-user': { type: 'string' },
    'search-prefix': { type: 'string' },
    group: { type: 'string' },
    token: { type: 'string' },
    axe: { type: 'string', default: path.join(HERE, 'node_modules/axe-core/axe.min.js') },
    shots: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const STEP_MS = 30_000;
/** The impacts that fail the run. */
const BLOCKING = new Set(['serious', 'critical']);

class CheckFailed extends Error {}

function check(cond, what, detail) {
  if (!cond) throw new CheckFailed(`${what}${detail === undefined ? '' : `: ${detail}`}`);
  console.log(`ok - ${what}`);
}

/** Runs axe-core on the page: its violations (each with up to five of its nodes) and how
 * many rules passed (a run that checked nothing must not count as clean). */
async function axe(page, source) {
  // Evaluated through the DevTools protocol, which the console's CSP (no scripts) does not
  // cover, so the page is checked as served.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(source);
  }
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    const violations = result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
    return { violations, passed: result.passes.length };
  });
}

async function main() {
  for (const name of ['base', 'pool-id', 'pool-name', 'operator', 'password', 'user',
    'other-user', 'search-prefix', 'group', 'token', 'shots']) {
    if (!args[name]) throw new CheckFailed(`missing --${name} (see --help)`);
  }
  const base = args.base.replace(/\/+$/, '');
  const consoleUrl = `${base}/_latchkey/console`;
  const shots = path.resolve(args.shots);
  fs.mkdirSync(shots, { recursive: true });
  const axeSource = fs.readFileSync(args.axe, 'utf8');
  const axeVersion = axeSource.match(/axe v([0-9.]+)/)?.[1] ?? 'unknown';

  const browser = await chromium.launch({
    executablePath: args.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const summary = [];
  try {
    check(browser.version(), `chromium ${browser.version()} launched; axe-core ${axeVersion}`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.log(`   [page error] ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && console.log(`   [page] ${m.text()}`));

    /** Screenshots and axe-checks the page the browser is on, as `name`. */
    const audit = async (name) => {
      const shot = path.join(shots, `${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      const { violations, passed } = await axe(page, axeSource);
      check(passed >= 10, `axe ran its rules on ${name} (${passed} passed)`);
      const blocking = violations.filter((v) => BLOCKING.has(v.impact));
      for (const v of violations) {
        console.log(`   axe ${name}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.join(', ')}`);
      }
      summary.push({ name, url: page.url(), violations: violations.length, blocking: blocking.length, shot });
      check(blocking.length === 0, `axe: no serious or critical violation on ${name}`,
        blocking.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`).join('; '));
    };
    /** Waits for the page to say `text` in its status region. */
    const status = async (text) => {
      const region = page.getByRole('status');
      await region.waitFor({ timeout: STEP_MS });
      const said = (await region.innerText()).trim();
      check(said.includes(text), `the console says "${text}"`, said);
    };
    /** Runs an action from the user's page through its confirmation page. */
    const act = async (label, fill, shot) => {
      await page.getByRole('link', { name: label, exact: true }).click();
      await page.waitForURL((u) => u.pathname.endsWith('/action'), { timeout: STEP_MS });
      const csrf = await page.locator('form#act input[name="_csrf"]').getAttribute('value');
      check(csrf && csrf.length > 10, `the "${label}" confirmation page carries a CSRF token`);
      if (fill) await fill();
      if (shot) await audit(shot);
      await page.getByLabel(/^I confirm:/).check();
      await Promise.all([
        page.waitForURL((u) => u.pathname.endsWith('/user'), { timeout: STEP_MS }),
        page.locator('form#act').getByRole('button', { name: label, exact: true }).click(),
      ]);
    };

    console.log('-- signing in on the managed login');
    await page.goto(consoleUrl);
    await page.waitForURL((u) => u.pathname === '/login', { timeout: STEP_MS });
    check(new URL(page.url()).searchParams.get('code_challenge_method') === 'S256',
      'the console sent the browser to the managed login with PKCE S256');
    await page.getByLabel('Username').fill(args.operator);
    await page.getByLabel('Password').fill(args.password);
    await Promise.all([
      page.waitForURL((u) => u.href === consoleUrl, { timeout: STEP_MS }),
      page.getByLabel('Password').press('Enter'),
    ]);
    const header = await page.locator('header').innerText();
    check(header.includes(`Signed in as ${args.operator}`), 'the console names the operator', header);
    const cookies = await context.cookies(consoleUrl);
    const session = cookies.find((c) => c.name === 'latchkey-console');
    check(session?.httpOnly && session.sameSite === 'Strict', 'the session cookie is HttpOnly, SameSite=Strict');
    // The keyboard's first stop is the skip link, and it leads to the content.
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
    check(first === 'Skip to content', 'Tab first reaches the skip link', first);
    await audit('01-pools');

    console.log('-- the pool, its users, the search');
    await page.getByRole('link', { name: args['pool-name'], exact: true }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/pool'), { timeout: STEP_MS });
    await audit('02-pool');
    const poolNav = page.getByRole('navigation', { name: `Pool ${args['pool-id']}` });
    await poolNav.getByRole('link', { name: 'Users', exact: true }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/users'), { timeout: STEP_MS });
    const all = await page.locator('main table').innerText();
    check(all.includes(args.user) && all.includes(args['other-user']), 'the users list shows both users');
    await audit('03-users');
    await page.getByLabel('Attribute').selectOption('email');
    await page.getByLabel('Match').selectOption({ label: 'starts with' });
    await page.getByLabel('Value').fill(args['search-prefix']);
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('value') === args['search-prefix'], { timeout: STEP_MS }),
      page.getByRole('button', { name: 'Search' }).click(),
    ]);
    const found = await page.locator('main table').innerText();
    check(found.includes(args.user) && !found.includes(args['other-user']),
      `the search email ^= ${args['search-prefix']} finds ${args.user} alone`, found);
    await page.getByRole('link', { name: args.user, exact: true }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/user'), { timeout: STEP_MS });
    check((await page.locator('h1').innerText()) === `User ${args.user}`, 'the user page');
    await audit('04-user');

    console.log('-- actions through the confirmation pages');
    await act('Disable', null, '05-confirm-disable');
    await status('User disabled.');
    await act('Reset the password');
    await status('Password reset');
    await act('Add to a group', () => page.getByLabel('Group', { exact: true }).selectOption(args.group));
    await status('Added to the group.');
    const facts = await page.locator('main').innerText();
    check(facts.includes('RESET_REQUIRED'), 'the user page shows RESET_REQUIRED');
    const groups = await page.getByRole('table').filter({ hasText: 'Precedence' }).innerText();
    check(groups.includes(args.group), `the user page lists the group ${args.group}`, groups);
    check(await page.getByRole('link', { name: 'Enable', exact: true }).isVisible(),
      'the user page offers Enable (the user is disabled)');

    console.log('-- the other pages');
    const poolNav2 = page.getByRole('navigation', { name: `Pool ${args['pool-id']}` });
    await poolNav2.getByRole('link', { name: 'Groups', exact: true }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/groups'), { timeout: STEP_MS });
    await audit('06-groups');
    const consoleNav = page.getByRole('navigation', { name: 'Console' });
    await consoleNav.getByRole('link', { name: 'Identity pools' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/identity-pools'), { timeout: STEP_MS });
    await audit('07-identity-pools');
    await consoleNav.getByRole('link', { name: 'Outbox' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/outbox'), { timeout: STEP_MS });
    await audit('08-outbox');
    await consoleNav.getByRole('link', { name: 'Token inspector' }).click();
    await page.waitForURL((u) => u.pathname.endsWith('/token'), { timeout: STEP_MS });
    await audit('09-token-inspector');
    await page.getByLabel(/^Token/).fill('not a token');
    await page.getByRole('button', { name: 'Inspect' }).click();
    await page.getByRole('alert').waitFor({ timeout: STEP_MS });
    const alert = await page.getByRole('alert').innerText();
    check(alert.includes('not a JSON Web Token'), 'the token inspector refuses garbage', alert);
    await audit('10-token-refused');
    await page.getByLabel(/^Token/).fill(args.token);
    await page.getByRole('button', { name: 'Inspect' }).click();
    await page.getByRole('status').waitFor({ timeout: STEP_MS });
    const verdict = await page.getByRole('status').innerText();
    check(verdict.startsWith('Valid'), 'the token inspector verifies an ID token', verdict);
    await audit('11-token-valid');
  } finally {
    await browser.close();
  }
  console.log('-- axe-core summary (serious/critical fail the run)');
  for (const s of summary) {
    console.log(`   ${s.name.padEnd(20)} ${s.violations} violation(s), ${s.blocking} serious/critical; ${s.shot}`);
  }
  console.log(`screenshots: ${shots}`);
  console.log('PASS: the console in chromium');
}

main().catch((e) => {
  console.error(`FAIL: ${e instanceof CheckFailed ? e.message : (e?.stack ?? String(e))}`);
  process.exit(1);
});
