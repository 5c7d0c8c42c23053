// The renderer's page must carry the same Content-Security-Policy the main process sends as a header
// (less frame-ancestors, which a <meta> tag cannot hold), and the built page must need no exception
// to it: no inline script, no inline style.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY } from '../../../electron/main/csp';

const ROOT = new URL('../../../', import.meta.url).pathname;

function metaPolicy(html: string): string {
  const tag = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  if (!tag?.[1]) throw new Error('no Content-Security-Policy meta tag');
  return tag[1].replace(/\s+/g, ' ').trim();
}

const directives = (policy: string) => policy.split(';').map((d) => d.trim()).filter(Boolean);

describe('the renderer page and its Content-Security-Policy', () => {
  const source = readFileSync(`${ROOT}renderer/index.html`, 'utf8');

  it('has the header policy in its meta tag, without frame-ancestors', () => {
    expect(metaPolicy(source)).toBe(META_CONTENT_SECURITY_POLICY);
    expect(directives(CONTENT_SECURITY_POLICY).filter((d) => !d.startsWith('frame-ancestors '))).toEqual(directives(metaPolicy(source)));
  });

  it('is English and titled with the app name', () => {
    expect(source).toMatch(/<html lang="en">/);
    expect(source).toMatch(/<title>Registry Transfer<\/title>/);
  });

  it('builds to a page with no inline script or style, keeping the policy', () => {
    // dist/renderer is built before the tests by test/support/build-once.ts.
    const built = readFileSync(`${ROOT}dist/renderer/index.html`, 'utf8');
    expect(metaPolicy(built)).toBe(META_CONTENT_SECURITY_POLICY);
    const scripts = [...built.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\ssrc="\.\/assets\/[^"]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(built).not.toMatch(/<style\b/i);
    expect(built).not.toMatch(/\sstyle="/i);
    expect(built).not.toMatch(/\son[a-z]+="/i);
  });
});
