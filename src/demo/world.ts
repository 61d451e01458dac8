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

/** Personas of the model's world and the catalog's ids; catalog.json and personas.json sit beside model.json. */
export async function loadWorld(modelUrl: string): Promise<World> {
  const base = new URL(modelUrl, location.href);
  const [catalog, world] = await Promise.all([
    fetchJson<{ items?: ItemContent[] }>(new URL('catalog.json', base), 'the catalog'),
    fetchJson<{ personas?: PersonaJson[] }>(new URL('personas.json', base), 'the personas'),
  ]);
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
