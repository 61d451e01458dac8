// Privacy: what is stored on this device, a JSON export of it, and "forget me".
import type { ExportedData, StoreStats } from '../index';
import { el, errorMessage, formatBytes } from './dom';

export interface PrivacyActions {
  stats(): Promise<StoreStats>;
  exportData(): Promise<ExportedData>;
  /** Deletes everything and starts a fresh recommender. */
  forget(): Promise<void>;
}

export interface PrivacyView {
  /** Re-reads the stored counts (after clicks, forget). */
  refresh(): Promise<void>;
}

/** Downloads `data` as a pretty-printed JSON file. */
function download(name: string, data: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const link = el('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The panel inside `host`. */
export function createPrivacyView(host: HTMLElement, actions: PrivacyActions): PrivacyView {
  const stored = el('dl', { class: 'facts', 'data-testid': 'privacy-stats', 'aria-live': 'polite' });
  const exportButton = el('button', { type: 'button', class: 'secondary', 'data-testid': 'export' }, ['Export my data (JSON)']);
  const forgetButton = el('button', { type: 'button', class: 'danger', 'data-testid': 'forget' }, ['Forget me']);
  const note = el('p', { class: 'note', role: 'status' });
  host.append(
    el('p', { class: 'statement' }, [
      'Nothing is sent anywhere. Your clicks, the items you were shown and your adapted model stay in this browser’s IndexedDB; ',
      'the only network requests are for the public model files.',
    ]),
    stored,
    el('div', { class: 'actions' }, [exportButton, forgetButton]),
    note,
  );

  const refresh = async () => {
    try {
      const s = await actions.stats();
      stored.replaceChildren(
        el('dt', {}, ['Events']),
        el('dd', { 'data-testid': 'stored-events' }, [`${s.events} (${s.byType.click} clicks, ${s.byType.impression} impressions)`]),
        el('dt', {}, ['Size']),
        el('dd', {}, [`${formatBytes(s.eventBytes)} of events, ${formatBytes(s.stateBytes)} of adapted parameters`]),
        el('dt', {}, ['Cached model']),
        el('dd', {}, [s.artifactVersion ? `${s.artifactVersion}, ${formatBytes(s.artifactBytes)}` : 'none']),
      );
    } catch (error) {
      stored.replaceChildren(el('dt', {}, ['Stored']), el('dd', {}, [`unavailable: ${errorMessage(error)}`]));
    }
  };

  exportButton.addEventListener('click', async () => {
    try {
      const data = await actions.exportData();
      download(`localrec-my-data-${data.exportedAt.slice(0, 10)}.json`, data);
      note.textContent = `Exported ${data.events.length} events and ${data.states.length} saved model state(s).`;
    } catch (error) {
      note.textContent = `Export failed: ${errorMessage(error)}`;
    }
  });

  // A second press confirms: no modal dialog, and still hard to hit by accident.
  let armed: ReturnType<typeof setTimeout> | null = null;
  forgetButton.addEventListener('click', async () => {
    if (armed === null) {
      forgetButton.textContent = 'Press again to delete everything';
      armed = setTimeout(() => {
        armed = null;
        forgetButton.textContent = 'Forget me';
      }, 5000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    forgetButton.textContent = 'Forget me';
    forgetButton.disabled = true;
    try {
      await actions.forget();
      note.textContent = 'Everything stored on this device was deleted. You are a new visitor again.';
    } catch (error) {
      note.textContent = `Forget failed: ${errorMessage(error)}`;
    } finally {
      forgetButton.disabled = false;
      await refresh();
    }
  });

  return { refresh };
}
