/**
 * A URL `new Worker(url, { type: 'module' })` accepts for the worker script at
 * `scriptUrl`. Browsers refuse a cross-origin worker URL (the embed served from
 * a CDN), so that case gets a same-origin blob: module worker whose only line
 * imports the real script; module workers may import cross-origin scripts
 * served with CORS headers. `release()` frees the blob once the worker runs.
 */
export function sameOriginWorkerUrl(scriptUrl: URL, pageOrigin: string = location.origin): { url: string; release(): void } {
  if (scriptUrl.origin === pageOrigin) return { url: scriptUrl.href, release: () => {} };
  const source = `import ${JSON.stringify(scriptUrl.href)};\n`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  return { url, release: () => URL.revokeObjectURL(url) };
}
