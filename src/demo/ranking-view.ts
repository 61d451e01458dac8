// The ranked list: one button per item (data-item-id), with what changed since
// the previous ranking (moved up/down, new).
import type { RankedItem } from '../index';
import { el } from './dom';

export type Change = { readonly kind: 'new' } | { readonly kind: 'up' | 'down'; readonly by: number } | { readonly kind: 'same' };

/** How each item moved between two rankings (positions, not scores). */
export function rankChanges(previous: readonly string[] | null, next: readonly string[]): Change[] {
  if (previous === null) return next.map(() => ({ kind: 'same' }));
  const before = new Map(previous.map((id, i) => [id, i]));
  return next.map((id, i) => {
    const was = before.get(id);
    if (was === undefined) return { kind: 'new' };
    if (was === i) return { kind: 'same' };
    return was > i ? { kind: 'up', by: was - i } : { kind: 'down', by: i - was };
  });
}

function changeBadge(change: Change): HTMLElement {
  switch (change.kind) {
    case 'new':
      return el('span', { class: 'change new', title: 'New in the list' }, ['new']);
    case 'up':
      return el('span', { class: 'change up', title: `Moved up ${change.by}` }, [`▲ ${change.by}`]);
    case 'down':
      return el('span', { class: 'change down', title: `Moved down ${change.by}` }, [`▼ ${change.by}`]);
    case 'same':
      return el('span', { class: 'change same', 'aria-hidden': 'true' }, ['']);
  }
}

function changeText(change: Change): string {
  if (change.kind === 'new') return ', new in the list';
  if (change.kind === 'up') return `, up ${change.by}`;
  if (change.kind === 'down') return `, down ${change.by}`;
  return '';
}

export interface RankingView {
  /** Shows a new ranking; markers compare with the last one shown unless `fresh`. */
  render(items: readonly RankedItem[], fresh?: boolean): void;
  /** Ids currently shown, best first. */
  shown(): string[];
  /** Highlights items a predicate holds for (the persona's hidden taste), or none. */
  highlight(liked: ((id: string) => boolean) | null): void;
  /** Disables clicking while something else drives the list (the simulated visitor). */
  setBusy(busy: boolean): void;
}

/** The list inside `host`; `onChoose` gets the id of an item the visitor clicked. */
export function createRankingView(host: HTMLOListElement, onChoose: (id: string) => void): RankingView {
  let ids: string[] | null = null;
  let liked: ((id: string) => boolean) | null = null;
  let busy = false;

  const paintLiked = () => {
    for (const button of host.querySelectorAll<HTMLButtonElement>('[data-item-id]')) {
      button.classList.toggle('liked', liked !== null && liked(button.dataset.itemId!));
    }
  };

  host.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-item-id]');
    if (button && !button.disabled) onChoose(button.dataset.itemId!);
  });

  return {
    render(items, fresh = false) {
      const next = items.map((i) => i.id);
      const changes = rankChanges(fresh ? null : ids, next);
      // Bars show where each score sits between this list's lowest and highest.
      const top = Math.max(...items.map((i) => i.score));
      const low = Math.min(...items.map((i) => i.score));
      host.replaceChildren(
        ...items.map((item, i) => {
          const change = changes[i]!;
          const bar = el('span', { class: 'score-bar', 'aria-hidden': 'true' });
          bar.style.setProperty('--w', `${(top > low ? 12 + (88 * (item.score - low)) / (top - low) : 100).toFixed(1)}%`);
          const button = el(
            'button',
            {
              type: 'button',
              class: `item change-${change.kind}`,
              'data-item-id': item.id,
              disabled: busy,
              'aria-label': `${i + 1}. ${item.title}, score ${item.score.toFixed(3)}${changeText(change)}. Click to tell the model you like it.`,
            },
            [
              el('span', { class: 'rank' }, [String(i + 1)]),
              el('span', { class: 'body' }, [
                el('span', { class: 'title' }, [item.title]),
                el('span', { class: 'tags' }, item.tags.map((t, k) => el('span', { class: k === 0 ? 'tag category' : 'tag' }, [t]))),
              ]),
              el('span', { class: 'meta' }, [changeBadge(change), el('span', { class: 'score' }, [item.score.toFixed(3)]), bar]),
            ],
          );
          return el('li', {}, [button]);
        }),
      );
      ids = next;
      paintLiked();
    },
    shown: () => [...(ids ?? [])],
    highlight(predicate) {
      liked = predicate;
      paintLiked();
    },
    setBusy(value) {
      busy = value;
      host.classList.toggle('busy', busy);
      for (const button of host.querySelectorAll<HTMLButtonElement>('button')) button.disabled = busy;
    },
  };
}
