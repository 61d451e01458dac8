// The widget's own styles, inside its shadow root. `.root` resets everything
// it could inherit from the host page (`all: initial`), then takes its look
// from custom properties only, so a site's global CSS cannot restyle it while
// `--localrec-*` properties (which `all` leaves alone) and ::part still can.
// Sizes are px, never em/rem, which would follow the page's font sizes.
export const WIDGET_CSS = `
:host { display: block; }
:host([hidden]) { display: none; }
.root {
  all: initial;
  display: block;
  box-sizing: border-box;
  font-family: var(--localrec-font, system-ui, -apple-system, "Segoe UI", sans-serif);
  font-size: var(--localrec-font-size, 15px);
  line-height: 1.4;
  color: var(--localrec-fg, #1d1d1f);
  background: var(--localrec-bg, transparent);
}
.root * { box-sizing: border-box; }
.heading { display: block; margin: 0 0 8px; font: inherit; font-size: var(--localrec-heading-size, 17px); font-weight: 600; color: inherit; }
.list {
  display: grid; gap: var(--localrec-gap, 8px); margin: 0; padding: 0; list-style: none;
  grid-template-columns: repeat(auto-fill, minmax(var(--localrec-item-width, 160px), 1fr));
}
.item { display: block; margin: 0; padding: 0; }
.action {
  display: flex; flex-direction: column; gap: 4px; width: 100%; height: 100%; margin: 0; padding: 12px;
  font: inherit; color: inherit; text-align: start; text-decoration: none; cursor: pointer;
  background: var(--localrec-item-bg, #fff);
  border: 1px solid var(--localrec-border, #d0d0d7);
  border-radius: var(--localrec-radius, 8px);
}
.action:hover { border-color: var(--localrec-accent, #3056d3); }
.action:focus-visible { outline: 2px solid var(--localrec-accent, #3056d3); outline-offset: 2px; }
.image {
  display: block; width: 100%; aspect-ratio: var(--localrec-image-ratio, 1); object-fit: cover;
  border-radius: calc(var(--localrec-radius, 8px) - 4px); background: var(--localrec-image-bg, #f2f2f5);
}
.title { font-weight: 600; }
.tags { font-size: 12px; color: var(--localrec-muted, #5c5c66); }
.status { display: block; margin: 8px 0 0; min-height: 17px; font-size: 12px; color: var(--localrec-muted, #5c5c66); }
@media (prefers-reduced-motion: no-preference) { .action { transition: border-color 0.15s; } }
`;

/** Adopts the styles (exempt from CSP style-src, unlike a <style> element), or falls back to a <style>. */
export function applyStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(WIDGET_CSS);
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = WIDGET_CSS;
  root.append(style);
}
