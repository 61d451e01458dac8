import type { RankedItem, RankingEvent } from '../index';
import type { Hub, WidgetView } from './hub';
import { applyStyles } from './widget-styles';

/** The custom element's tag name. */
export const WIDGET_TAG = 'localrec-widget';

const DEFAULTS = { count: 6, heading: 'Recommended for you' };

/** Widget defaults from the script tag, and the hub every widget on the page renders from. */
let shared: { hub: Hub; count: number; heading: string | null; href: string | null } | null = null;

function part<K extends keyof HTMLElementTagNameMap>(tag: K, name: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.className = name;
  element.setAttribute('part', name);
  return element;
}

/** The item's link from a template like "/p/{id}", or null when there is none or it is not http(s). */
export function itemHref(template: string | null, id: string): string | null {
  if (!template) return null;
  return safeUrl(template.replaceAll('{id}', encodeURIComponent(id)));
}

/** `value` as an absolute http(s) URL against the page, or null (never `javascript:`, `data:` and the like). */
export function safeUrl(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value, location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null; // no URL: buttons still work
  }
}

/**
 * `<localrec-widget count="6" heading="…" href="/p/{id}">`: the visitor's top
 * items as a list of buttons (or links), in Shadow DOM. Titles are set as text
 * only. When the catalog carries an item's `url` and `image` (items.csv), the
 * item is a product card: a link to its page with a thumbnail (`images="off"`:
 * no thumbnails, so the image server never sees which items were shown).
 * Styling: `--localrec-*` custom properties and ::part(heading | list | item |
 * action | image | title | tags | status).
 */
export class LocalrecWidget extends HTMLElement implements WidgetView {
  private readonly heading = part('h2', 'heading');
  private readonly list = part('ol', 'list');
  private readonly status = part('p', 'status');
  private readonly root = part('section', 'root');
  private detach: () => void = () => {};

  constructor() {
    super();
    const shadow = this.attachShadow({ mode: 'open' });
    applyStyles(shadow);
    this.status.setAttribute('role', 'status');
    this.status.textContent = 'Loading recommendations…';
    this.root.setAttribute('aria-busy', 'true');
    this.root.append(this.heading, this.list, this.status);
    shadow.append(this.root);
  }

  connectedCallback(): void {
    const text = this.getAttribute('heading') ?? shared?.heading ?? DEFAULTS.heading;
    this.heading.textContent = text;
    this.heading.id = 'localrec-heading';
    this.root.setAttribute('aria-labelledby', this.heading.id);
    this.detach = shared?.hub.attach(this) ?? (() => {});
  }

  disconnectedCallback(): void {
    this.detach();
  }

  /** Items shown, from the `count` attribute, else data-count, else 6. */
  get count(): number {
    const fromAttribute = Number(this.getAttribute('count'));
    return Number.isInteger(fromAttribute) && fromAttribute > 0 ? fromAttribute : (shared?.count ?? DEFAULTS.count);
  }

  render(ranking: RankingEvent): void {
    const items = ranking.items.slice(0, this.count);
    const focused = [...this.list.children].findIndex((li) => li.contains(this.shadowRoot?.activeElement ?? null));
    this.list.replaceChildren(...items.map((item) => this.itemNode(item, items)));
    this.root.setAttribute('aria-busy', 'false');
    this.status.textContent = ranking.cause === 'click' || ranking.cause === 'rating' ? 'Updated from your picks.' : '';
    // Re-rendering must not drop a keyboard user's focus to the page.
    if (focused >= 0) (this.list.children[Math.min(focused, items.length - 1)]?.firstElementChild as HTMLElement | null)?.focus();
  }

  unavailable(): void {
    this.list.replaceChildren();
    this.root.setAttribute('aria-busy', 'false');
    this.status.textContent = 'Recommendations are unavailable right now.';
  }

  private itemNode(item: RankedItem, shown: readonly RankedItem[]): HTMLLIElement {
    const li = part('li', 'item');
    // The catalog's own page for the item wins over the site-wide template.
    const href = safeUrl(item.url) ?? itemHref(this.getAttribute('href') ?? shared?.href ?? null, item.id);
    const action = href ? Object.assign(part('a', 'action'), { href }) : Object.assign(part('button', 'action'), { type: 'button' });
    const title = part('span', 'title');
    title.textContent = item.title;
    const tags = part('span', 'tags');
    tags.textContent = item.tags.slice(0, 3).join(' · ');
    const src = this.getAttribute('images') === 'off' ? null : safeUrl(item.image);
    if (src) {
      // Decorative: the title next to it names the item for screen readers.
      const image = Object.assign(part('img', 'image'), { src, alt: '', loading: 'lazy', decoding: 'async', referrerPolicy: 'no-referrer' });
      action.append(image);
      li.classList.add('card');
    }
    action.append(title, tags);
    action.dataset.item = item.id;
    action.addEventListener('click', () => void shared?.hub.choose(item.id, shown.map((i) => i.id)));
    li.append(action);
    return li;
  }
}

/** Registers `<localrec-widget>` (once) with the hub and defaults all widgets on the page use. */
export function defineWidget(hub: Hub, defaults: { count: number; heading: string | null; href: string | null }): void {
  shared = { hub, ...defaults };
  if (!customElements.get(WIDGET_TAG)) customElements.define(WIDGET_TAG, LocalrecWidget);
}
