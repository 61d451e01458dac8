import type { Hub } from './hub';
import { COMMANDS, type Command } from './protocol';

function itemId(value: unknown, command: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new Error(`localrec('${command}', …) needs an item id string, got ${JSON.stringify(value) ?? 'undefined'}: e.g. localrec('${command}', 'sku-123').`);
}

function itemIds(value: unknown): string[] {
  const ids = typeof value === 'string' ? [value] : value;
  if (Array.isArray(ids) && ids.every((id) => typeof id === 'string' && id !== '')) return ids as string[];
  throw new Error(`localrec('view', …) needs an item id or an array of them, got ${JSON.stringify(value) ?? 'undefined'}: e.g. localrec('view', ['sku-1', 'sku-2']).`);
}

function recommendOptions(value: unknown, fallbackCount: number): { count: number; exclude?: string[] } {
  const options = (value ?? {}) as { count?: unknown; exclude?: unknown };
  const count = options.count ?? fallbackCount;
  if (typeof options !== 'object' || !Number.isInteger(count) || (count as number) < 0) {
    throw new Error(`localrec('recommend', …) needs { count } with a whole number of items, got ${JSON.stringify(value)}: e.g. localrec('recommend', { count: 4 }).`);
  }
  return { count: count as number, ...(options.exclude === undefined ? {} : { exclude: itemIds(options.exclude) }) };
}

const handlers: Record<Command, (hub: Hub, args: readonly unknown[], count: number) => Promise<unknown>> = {
  click: ({ recommender }, [id]) => recommender.click(itemId(id, 'click')),
  view: ({ recommender }, [ids]) => recommender.impressions(itemIds(ids)),
  recommend: ({ recommender }, [options], count) => recommender.recommend(recommendOptions(options, count)),
  rate: ({ recommender }, [id, value]) => recommender.rate(itemId(id, 'rate'), Number(value)),
  ready: ({ recommender }) => recommender.ready,
  export: ({ recommender }) => recommender.exportData(),
  reset: ({ recommender }) => recommender.reset(),
  forget: (hub) => hub.forget(),
};

/** Runs one `localrec(command, ...args)` call; rejects with an Error naming a bad command or argument. */
export async function runCommand(hub: Hub, command: string, args: readonly unknown[], defaultCount: number): Promise<unknown> {
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new Error(`Unknown localrec command ${JSON.stringify(command)}: use one of ${COMMANDS.map((c) => `'${c}'`).join(', ')}.`);
  }
  return handlers[command as Command](hub, args, defaultCount);
}
