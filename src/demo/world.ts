// The synthetic world beside the model: its personas (hidden tastes) rebuilt
// against the catalog, for the simulated visitor.
import type { ItemContent } from '../data/dataset';
import { personasFromJson, type Persona, type PersonaJson } from '../data/persona';

async function fetchJson<T>(url: URL, what: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`Could not load ${what} from ${url.pathname} (HTTP ${response.status}): the model folder needs a ${url.pathname.split('/').pop()} for the simulated visitor.`);
  }
  return (await response.json()) as T;
}

export interface World {
  readonly personas: Persona[];
  readonly itemIds: string[];
}

/** The catalog's files beside model.json: format v2's shards in order, or v1's catalog.json. */
async function catalogFiles(base: URL): Promise<string[]> {
  const json = await fetchJson<{ localrec?: { formatVersion?: number; catalog?: { file: string }[] } }>(base, 'model.json');
  const shards = json.localrec?.formatVersion === 2 ? json.localrec.catalog : undefined;
  return Array.isArray(shards) ? shards.map((s) => s.file) : ['catalog.json'];
}

/** Personas of the model's world and the catalog's ids; the catalog and personas.json sit beside model.json. */
export async function loadWorld(modelUrl: string): Promise<World> {
  const base = new URL(modelUrl, location.href);
  const [shards, world] = await Promise.all([
    catalogFiles(base).then((files) => Promise.all(files.map((f) => fetchJson<{ items?: ItemContent[] }>(new URL(f, base), 'the catalog')))),
    fetchJson<{ personas?: PersonaJson[] }>(new URL('personas.json', base), 'the personas'),
  ]);
  const catalog = { items: shards.every((s) => Array.isArray(s.items)) ? shards.flatMap((s) => s.items!) : undefined };
  if (!Array.isArray(catalog.items) || !Array.isArray(world.personas) || world.personas.length === 0) {
    throw new Error(`The model at ${base.pathname} has no personas (expected { personas: [...] } and { items: [...] }): this model was not trained on the synthetic world.`);
  }
  return { personas: personasFromJson(world.personas, catalog.items), itemIds: catalog.items.map((i) => i.id) };
}

/** One line on a persona's hidden taste: categories with weights and preferred tags. */
export function describeTaste(persona: Persona): string {
  const cats = persona.taste.categories.map((c) => `${c.name} ${Math.round(c.weight * 100)}%`).join(', ');
  return `${cats}; likes items tagged ${persona.taste.tags.join(', ')}`;
}
