import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STUB, strictPolicy } from './embed-host';

/** Where the site serves its model from. */
export const MODEL_PATH = '/models/m/model.json';

/** One host page: extra inline script after the recorder, the embed tag's data-* attributes, an optional strict CSP. */
export interface HostPage {
  readonly inline?: string;
  readonly data: Readonly<Record<string, string>>;
  /** The strict policy of docs/EMBED.md; `wasm: false` drops 'wasm-unsafe-eval' as well. */
  readonly csp?: { readonly wasm: boolean };
}

/** What every page records on `window.seen`: the embed's events, CSP violations, and anything that escaped to the page. */
export interface Seen {
  ready: { backend: string }[];
  ranking: { cause: string; items: { id: string }[] }[];
  adapted: unknown[];
  error: { name: string; message: string; command?: string }[];
  csp: string[];
  unhandled: string[];
  pageErrors: string[];
}

/** The globals a host page has, for page.evaluate callbacks: `(window as unknown as Host).seen`. */
export interface Host {
  localrec(command: unknown, ...args: unknown[]): Promise<unknown>;
  seen: Seen;
  queued: Promise<unknown>[];
  pwned?: number;
}

const RECORDER = `
${STUB}
window.seen = { ready: [], ranking: [], adapted: [], error: [], csp: [], unhandled: [], pageErrors: [] };
for (const name of ['ready', 'ranking', 'adapted', 'error']) addEventListener('localrec:' + name, (e) => window.seen[name].push(e.detail));
addEventListener('securitypolicyviolation', (e) => window.seen.csp.push(e.violatedDirective + ' ' + e.blockedURI));
addEventListener('unhandledrejection', (e) => window.seen.unhandled.push(String(e.reason)));
addEventListener('error', (e) => window.seen.pageErrors.push(String(e.message)));
`;

/** The exact policy a page with `csp` is served under (a meta tag; docs/RELIABILITY.md quotes it). */
export function pagePolicy(embedOrigin: string, inline: string, wasm: boolean): string {
  const policy = strictPolicy(embedOrigin, inline, '');
  return wasm ? policy : policy.replace(" 'wasm-unsafe-eval'", '');
}

const attribute = (value: string) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

/**
 * Writes a host site into a temp dir: the model files under /models/m/ and
 * each page, which records events, loads embed.js from `embedOrigin` with its
 * data-* attributes and has a host item (`#host-item`, data-localrec-item="i9").
 * Returns the dir; serve it as the site's origin.
 */
export function writeSite(embedOrigin: string, model: Record<string, Uint8Array>, pages: Record<string, HostPage>): string {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-reliability-'));
  mkdirSync(join(dir, 'models/m'), { recursive: true });
  for (const [name, bytes] of Object.entries(model)) writeFileSync(join(dir, 'models/m', name), bytes);
  for (const [file, page] of Object.entries(pages)) {
    const inline = RECORDER + (page.inline ?? '');
    const meta = page.csp ? `<meta http-equiv="Content-Security-Policy" content="${pagePolicy(embedOrigin, inline, page.csp.wasm)}">` : '';
    const data = Object.entries({ model: MODEL_PATH, target: '#recs', ...page.data })
      .map(([key, value]) => ` data-${key}="${attribute(value)}"`)
      .join('');
    writeFileSync(
      join(dir, file),
      `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><title>Host</title><link rel="icon" href="data:,">
${meta}
<script>${inline}</script>
</head>
<body>
<h1>Host</h1>
<a href="#" id="host-item" data-localrec-item="i9">A product the host rendered</a>
<div id="recs"></div>
<script async src="${embedOrigin}/embed.js"${data}></script>
</body>
</html>
`,
    );
  }
  return dir;
}
