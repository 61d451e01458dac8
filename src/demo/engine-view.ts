// Model and engine: what was loaded, how it adapts, which tfjs backend runs it
// and the timings that chose it, plus a switch that restarts on another backend.
import type { BackendPreference, ReadyInfo } from '../index';
import { el } from './dom';

export const BACKEND_CHOICES = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'] as const satisfies readonly BackendPreference[];

/**
 * The artifact's learned inner-loop learning rates, read from the public
 * model.json (ReadyInfo does not carry them); null when the format has none.
 */
export async function describeLearningRates(modelUrl: string): Promise<string | null> {
  try {
    const response = await fetch(modelUrl);
    if (!response.ok) return null;
    const json = (await response.json()) as { localrec?: { adaptation?: { learningRates?: { user?: unknown; pop?: unknown } } } };
    const rates = json.localrec?.adaptation?.learningRates;
    const user = Array.isArray(rates?.user) ? rates.user.filter((x): x is number => typeof x === 'number') : [];
    if (user.length === 0) return null;
    const mean = user.reduce((a, b) => a + b, 0) / user.length;
    const range = `${Math.min(...user).toFixed(2)}–${Math.max(...user).toFixed(2)}`;
    const pop = typeof rates?.pop === 'number' ? `; popularity ${rates.pop.toFixed(2)}` : '';
    return `user vector: ${user.length} learned rates, ${range} (mean ${mean.toFixed(2)})${pop}`;
  } catch {
    return null;
  }
}

export interface EngineView {
  show(info: ReadyInfo, preference: BackendPreference): void;
  setLearningRates(text: string | null): void;
  /** Disables the switch while a recommender starts. */
  setStarting(preference: BackendPreference): void;
  /** Re-enables the switch after a failed start, so another backend can be tried. */
  failed(preference: BackendPreference, message: string): void;
}

function row(term: string, value: string, testid?: string): HTMLElement[] {
  return [el('dt', {}, [term]), el('dd', testid ? { 'data-testid': testid } : {}, [value])];
}

/** The panel inside `host`; `onSwitch` is called with the backend the visitor picked. */
export function createEngineView(host: HTMLElement, onSwitch: (backend: BackendPreference) => void): EngineView {
  const select = el('select', { id: 'backend-select', 'aria-describedby': 'backend-reason' },
    BACKEND_CHOICES.map((b) => el('option', { value: b }, [b === 'auto' ? 'auto (fastest that works)' : b])));
  const facts = el('dl', { class: 'facts' });
  const reason = el('p', { id: 'backend-reason', class: 'reason' });
  const timings = el('ul', { class: 'timings', 'aria-label': 'Backend timings' });
  const rates = el('dd', {}, ['…']);
  host.append(
    el('div', { class: 'switch' }, [el('label', { for: 'backend-select' }, ['Backend']), select]),
    reason,
    timings,
    facts,
  );
  select.addEventListener('change', () => onSwitch(select.value as BackendPreference));
  let learningRates = 'not in this model';

  return {
    show(info, preference) {
      select.value = preference;
      select.disabled = false;
      reason.textContent = `Running on ${info.backend} (${info.kernel} kernel): ${info.reason}`;
      const slowest = Math.max(...info.timings.map((t) => t.ms ?? 0), 1e-6);
      timings.replaceChildren(
        ...info.timings.map((t) => {
          const bar = el('span', { class: 'bar', 'aria-hidden': 'true' });
          bar.style.setProperty('--w', t.ms === null ? '0%' : `${Math.max(3, (t.ms / slowest) * 100).toFixed(1)}%`);
          if (t.ms === null) {
            return el('li', { class: 'unused' }, [el('span', { class: 'name' }, [t.name]), el('span', { class: 'value' }, [`not used: ${t.error ?? 'unavailable'}`])]);
          }
          return el('li', { class: t.name === info.backend ? 'chosen' : '' }, [
            el('span', { class: 'name' }, [t.name]),
            bar,
            el('span', { class: 'value' }, [`${t.ms.toFixed(1)} ms`]),
          ]);
        }),
      );
      rates.textContent = learningRates;
      facts.replaceChildren(
        ...row('Model version', info.modelVersion, 'model-version'),
        ...row('Algorithm', info.algorithm),
        ...row('Adaptation steps', `${info.steps} per click`),
        el('dt', {}, ['Learning rate']),
        rates,
        ...row('Catalog', `${info.items.toLocaleString('en-US')} items`),
        ...row('Model came from', info.fromCache ? 'this device’s cache (no download)' : 'the network, now cached'),
        ...row('At page load', info.personal ? `${info.storedEvents} stored events: ranking is personal` : 'none yet: ranking is the meta-initialization'),
      );
    },
    setLearningRates(text) {
      learningRates = text ?? 'not in this model';
      rates.textContent = learningRates;
    },
    failed(preference, message) {
      select.value = preference;
      select.disabled = false;
      reason.textContent = `Not running: ${message}`;
      timings.replaceChildren();
    },
    setStarting(preference) {
      select.value = preference;
      select.disabled = true;
      reason.textContent = `Starting on “${preference}”…`;
    },
  };
}
