/** Attribute that marks host-rendered elements as items: a click on one counts as a click on that item. */
export const ITEM_ATTRIBUTE = 'data-localrec-item';

/**
 * Reports clicks on `[data-localrec-item]` elements anywhere in the document,
 * by one delegated listener (so items rendered later count too). Capture phase:
 * a host handler that stops propagation must not hide the click.
 */
export function trackDeclarativeClicks(onClick: (itemId: string) => void): void {
  document.addEventListener(
    'click',
    (event) => {
      const target = event.target as Element | null;
      const id = target?.closest?.(`[${ITEM_ATTRIBUTE}]`)?.getAttribute(ITEM_ATTRIBUTE);
      if (id) onClick(id);
    },
    { capture: true, passive: true },
  );
}
