// axe-core, Deque's accessibility checker, run inside the page the end-to-end tests drive (issue 14,
// item 6). Its script is read from node_modules and evaluated in the page (the page's own policy
// allows no script from elsewhere: Playwright's evaluate runs outside that policy).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  /** The CSS selectors of the elements it concerns (at most five). */
  targets: string[];
}

/**
 * The serious and critical findings of axe on the page as it is now (WCAG 2.1 A and AA rules and
 * axe's best practices), as lines a person can act on; `within` limits the check to one part of the
 * page (a dialog). An empty list is what a test expects.
 */
export async function seriousAccessibilityFindings(page: Page, within?: string): Promise<string[]> {
  const hasAxe = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const findings = await page.evaluate(async (context) => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, options: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(context ?? document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  }, within ?? null);
  return (findings as AxeFinding[])
    .filter((finding) => finding.impact === 'serious' || finding.impact === 'critical')
    .map((finding) => `${finding.impact}: ${finding.id} (${finding.help}) at ${finding.targets.join(', ')}`);
}
