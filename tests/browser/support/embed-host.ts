import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The inline stub a site pastes before the script tag (docs/EMBED.md); the tests use the very same text. */
export const STUB =
  'window.localrec=window.localrec||function(){var a=arguments,q=localrec.q=localrec.q||[],p=new Promise(function(r,j){q.push([a,r,j])});p.catch(function(){});return p};';

// A hostile host stylesheet: everything a site's global CSS could do to a widget.
const AGGRESSIVE_CSS = `
* { color: red !important; font-size: 40px !important; display: block; font-family: "Comic Sans MS", cursive !important;
    line-height: 3 !important; letter-spacing: 5px !important; text-transform: lowercase !important; }
button, a, li, ol, span, h2, p, section { all: unset !important; background: yellow !important; border: 5px dotted red !important; padding: 30px !important; }
head, script, style { display: none; }
/* The supported theming hooks. */
localrec-widget { --localrec-radius: 3px; --localrec-accent: rgb(0, 128, 0); }
localrec-widget::part(heading) { text-transform: uppercase; }
`;

/**
 * Writes a "shop" host site into a temp dir: shop.html, and shop-csp.html (the
 * same under the strict policy of docs/EMBED.md), plus the model files. Each
 * page queues calls with the stub before the script arrives, then loads
 * embed.js from `embedOrigin`. Returns the dir (serve it as the site's origin).
 */
export function writeHostSite(embedOrigin: string, model: Record<string, Uint8Array>, options: { backend: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-host-'));
  mkdirSync(join(dir, 'models/tiny'), { recursive: true });
  for (const [name, bytes] of Object.entries(model)) writeFileSync(join(dir, 'models/tiny', name), bytes);
  writeFileSync(join(dir, 'shop.html'), hostPage(embedOrigin, options.backend, false));
  writeFileSync(join(dir, 'shop-csp.html'), hostPage(embedOrigin, options.backend, true));
  return dir;
}

const INLINE = `
${STUB}
window.seen = { ready: [], ranking: [], adapted: [], error: [], csp: [] };
for (const name of ['ready', 'ranking', 'adapted', 'error']) addEventListener('localrec:' + name, (e) => window.seen[name].push(e.detail));
addEventListener('securitypolicyviolation', (e) => window.seen.csp.push(e.violatedDirective + ' ' + e.blockedURI));
localrec('click', 'i7');
window.early = localrec('recommend', { count: 3 });
`;

function hostPage(embedOrigin: string, backend: string, csp: boolean): string {
  const policy = csp ? `<meta http-equiv="Content-Security-Policy" content="${strictPolicy(embedOrigin, INLINE, AGGRESSIVE_CSS)}">` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><title>Host shop</title><link rel="icon" href="data:,">
${policy}
<style>${AGGRESSIVE_CSS}</style>
<script>${INLINE}</script>
</head>
<body>
<h1>Host shop</h1>
<a href="#" id="host-item" data-localrec-item="i11"><span>A product the host rendered</span></a>
<div id="recs"></div>
<script async src="${embedOrigin}/embed.js" data-model="/models/tiny/model.json" data-target="#recs" data-count="4" data-backend="${backend}"></script>
</body>
</html>
`;
}

/**
 * The policy docs/EMBED.md recommends, for a site with its model on its own
 * origin and the embed on a CDN: no 'unsafe-inline', no 'unsafe-eval'; the
 * inline stub (and the host's own inline style) allowed by their hashes.
 */
export function strictPolicy(cdnOrigin: string, inlineScript: string, inlineStyle: string): string {
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  return [
    "default-src 'none'",
    `script-src ${hash(inlineScript)} ${cdnOrigin} 'wasm-unsafe-eval'`,
    `worker-src blob: ${cdnOrigin}`,
    `connect-src 'self' ${cdnOrigin}`,
    // Only the host's own <style>: the widget adopts constructed stylesheets, which style-src does not govern.
    `style-src ${hash(inlineStyle)}`,
    'img-src data:',
  ].join('; ');
}
