// First-load progress (download, verify, cache) and every error or warning the
// engine reports, in plain words.
import type { LoadProgress, ReadyInfo } from '../index';
import { el, formatBytes } from './dom';

const PHASES: Record<LoadProgress['phase'], string> = {
  // The last phase before backend selection, which can take seconds of its own.
  cache: 'Model read from this device’s cache; choosing and warming up a backend',
  download: 'Downloading the model',
  verify: 'Verifying the model files',
  stored: 'Model saved on this device for next time; choosing and warming up a backend',
};

export interface StatusView {
  starting(backend: string): void;
  progress(p: LoadProgress): void;
  ready(info: ReadyInfo): void;
  /** A warning the engine pushed (it keeps running). */
  warn(message: string): void;
  /** A failure: the engine could not do what was asked. */
  fail(message: string): void;
}

/** The status region inside `host`. */
export function createStatusView(host: HTMLElement): StatusView {
  const line = el('p', { class: 'status-line', role: 'status', 'aria-live': 'polite' });
  const bar = el('progress', { max: 1, 'aria-label': 'Model loading progress' });
  const messages = el('ul', { class: 'messages', 'aria-live': 'assertive' });
  host.append(line, bar, messages);

  const message = (kind: 'warn' | 'error', text: string) => {
    messages.append(el('li', { class: kind, role: kind === 'error' ? 'alert' : 'note' }, [text]));
    while (messages.children.length > 4) messages.firstElementChild!.remove();
  };

  return {
    starting(backend) {
      host.dataset.state = 'loading';
      line.textContent = `Starting the engine in a Web Worker (backend: ${backend}): choosing a backend and warming it up…`;
      bar.hidden = false;
      bar.removeAttribute('value');
      messages.replaceChildren();
    },
    progress(p) {
      const file = p.file ? ` ${p.file}` : '';
      // Only downloads count bytes; the other phases count files (or nothing).
      const amount = p.phase !== 'download' ? '' : p.total ? `${formatBytes(p.loaded)} of ${formatBytes(p.total)}` : formatBytes(p.loaded);
      line.textContent = `${PHASES[p.phase] ?? p.phase}${file}${amount ? `: ${amount}` : ''}…`;
      if (p.total) bar.value = Math.min(1, p.loaded / p.total);
      else bar.removeAttribute('value');
    },
    ready(info) {
      host.dataset.state = 'ready';
      bar.hidden = true;
      const from = info.fromCache ? 'from this device’s cache' : 'downloaded and cached';
      line.textContent = `Ready: model ${info.modelVersion} (${from}) on ${info.backend}. ${info.reason}`;
    },
    warn(text) {
      message('warn', text);
    },
    fail(text) {
      host.dataset.state = 'error';
      bar.hidden = true;
      line.textContent = 'The engine could not start.';
      message('error', text);
    },
  };
}
