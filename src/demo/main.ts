// The demo page's wiring: one recommender at a time (recreated on a backend
// switch or after "forget me"), its events fanned out to the panels. It uses
// only the public API from src/index.ts.
import { createRecommender, type BackendPreference, type ReadyInfo, type Recommender } from '../index';
import { createAdaptView } from './adapt-view';
import { byId, errorMessage } from './dom';
import { createEngineView, describeLearningRates } from './engine-view';
import { readOptions, rememberBackend, type PageOptions } from './options';
import { createPrivacyView } from './privacy-view';
import { createRankingView } from './ranking-view';
import { createSessionView } from './session-view';
import { createSimulatorView } from './simulator-view';
import { createStatusView } from './status-view';
import { loadWorld } from './world';

const status = createStatusView(byId('status'));
const adaptView = createAdaptView(byId('adapt-metrics'));
const sessionView = createSessionView(byId('session'));
const listNote = byId('list-note');

let rec: Recommender | null = null;
let info: ReadyInfo | null = null;
const titles = new Map<string, string>();

const START_NOTE = 'This is the meta-learned starting point. Click anything you like and watch the ranking adapt.';

function live(): Recommender {
  if (!rec || !info) throw new Error('The recommender is not running: wait for “Ready”, or pick a backend that works.');
  return rec;
}

/** A person's click: what was shown and not clicked becomes impressions, then the click itself. */
async function clickItem(id: string): Promise<void> {
  const r = live();
  const shown = ranking.shown().filter((x) => x !== id);
  await r.impressions(shown);
  const result = await r.click(id);
  if (r !== rec) return;
  sessionView.add(result);
  const how = adaptView.latest();
  listNote.textContent =
    `You clicked “${titles.get(id) ?? id}” (rank ${result.rank} before adapting)` +
    `${how && !result.superseded ? `; ${how}` : ''}. Markers show what moved.`;
  void privacy.refresh();
}

const ranking = createRankingView(byId<HTMLOListElement>('ranking'), (id) => {
  listNote.textContent = 'Adapting to your click…';
  clickItem(id).catch((error: unknown) => status.warn(`That click was not recorded: ${errorMessage(error)}`));
});

byId('start-over').addEventListener('click', () => {
  // reset() pushes a 'reset' ranking, which clears the session panel and the note.
  Promise.resolve()
    .then(() => live().reset())
    .then(() => {
      adaptView.clear();
      void privacy.refresh();
    })
    .catch((error: unknown) => status.warn(`Could not start over: ${errorMessage(error)}`));
});

const engineView = createEngineView(byId('engine'), (backend) => {
  rememberBackend(backend);
  void start(backend).catch(() => {});
});

const privacy = createPrivacyView(byId('privacy'), {
  stats: () => live().stats(),
  exportData: () => live().exportData(),
  async forget() {
    const r = live();
    info = null;
    await r.forget();
    sessionView.clear();
    adaptView.clear();
    await start(current);
  },
});

let options: PageOptions;
let current: BackendPreference = 'auto';

/** Starts a recommender on `backend`, replacing the running one (stored data is kept). */
async function start(backend: BackendPreference): Promise<void> {
  current = backend;
  const old = rec;
  rec = null;
  info = null;
  await old?.close();
  document.body.dataset.ready = 'false';
  // For automation: which start this is, so a restart can be told from the previous run.
  document.body.dataset.starts = String(Number(document.body.dataset.starts ?? 0) + 1);
  engineView.setStarting(backend);
  status.starting(backend);
  const r = createRecommender({ modelUrl: options.modelUrl, backend, ...(options.dbName ? { dbName: options.dbName } : {}) });
  rec = r;
  const mine = <T>(fn: (data: T) => void) => (data: T) => {
    if (rec === r) fn(data);
  };
  r.on('progress', mine((p) => status.progress(p)));
  r.on('error', mine((e) => status.warn(e.message)));
  r.on('adapt', mine((e) => adaptView.add(e)));
  r.on('backend', mine((e) => status.warn(`Moved from ${e.from} to ${e.to}: ${e.reason}`)));
  r.on(
    'ranking',
    mine((e) => {
      for (const item of e.items) titles.set(item.id, item.title);
      ranking.render(e.items, e.cause !== 'click');
      if (e.cause === 'reset') {
        sessionView.clear();
        listNote.textContent = START_NOTE;
      }
      byId('list-count').textContent = `top ${e.items.length}`;
    }),
  );
  try {
    const ready = await r.ready;
    if (rec !== r) return;
    info = ready;
    status.ready(ready);
    engineView.show(ready, backend);
    listNote.textContent = ready.personal
      ? `Welcome back: ranked from your ${ready.storedEvents} stored events, adapted on this device.`
      : START_NOTE;
    await privacy.refresh();
    // Set last, so automation that waits for it sees every panel filled in.
    document.body.dataset.ready = 'true';
  } catch (error) {
    if (rec !== r) return;
    const hint = backend === 'auto' ? '' : ' Try the “auto” backend.';
    status.fail(`Could not start on “${backend}”: ${errorMessage(error)}${hint}`);
    listNote.textContent = 'No recommendations: the engine could not start (see the message above). Try another backend under “Model and engine”, or reload.';
    byId('list-count').textContent = 'unavailable';
    engineView.failed(backend, errorMessage(error));
    throw error;
  }
}

async function main(): Promise<void> {
  try {
    options = readOptions(location.search);
  } catch (error) {
    status.fail(errorMessage(error));
    return;
  }
  void describeLearningRates(options.modelUrl).then((text) => engineView.setLearningRates(text));
  const started = start(options.backend).catch(() => {});
  try {
    const world = await loadWorld(options.modelUrl);
    createSimulatorView(world.personas, {
      reset: () => live().reset(),
      rankAll: (count) => live().recommend({ count }),
      shown: () => ranking.shown(),
      click: (id) => clickItem(id),
      catalogIds: () => world.itemIds,
      catalogSize() {
        live();
        return info!.items;
      },
      highlight: (liked) => ranking.highlight(liked),
      markSwitches: (markers) => sessionView.mark(markers),
      setBusy: (busy) => {
        ranking.setBusy(busy);
        byId<HTMLButtonElement>('start-over').disabled = busy;
        // Switching backends mid-run would pull the engine out from under the persona.
        byId<HTMLSelectElement>('backend-select').disabled = busy;
        document.body.dataset.simulating = String(busy);
      },
    }, { speed: options.simSpeed, seed: options.seed });
  } catch (error) {
    byId('sim-status').textContent = `The simulated visitor is not available: ${errorMessage(error)}`;
  }
  await started;
}

void main();
