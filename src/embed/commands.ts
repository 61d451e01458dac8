import { describeValue, MAX_ITEM_ID_LENGTH } from '../client/validate';
import type { Hub } from './hub';
import { COMMANDS, type Command } from './protocol';

// Host pages call these with whatever they have: messages describe the bad
// value (cut short) rather than JSON.stringify it, which throws on cycles and
// would copy a megabyte string into the error.
const isItemId = (value: unknown): value is string => typeof value === 'string' && value !== '' && value.length <= MAX_ITEM_ID_LENGTH;

function itemId(value: unknown, command: string): string {
  if (isItemId(value)) return value;
  throw new Error(`localrec('${command}', …) needs an item id string of 1 to ${MAX_ITEM_ID_LENGTH} characters, got ${describeValue(value)}: e.g. localrec('${command}', 'sku-123').`);
}

function itemIds(value: unknown): string[] {
  const ids = typeof value === 'string' ? [value] : value;
  if (Array.isArray(ids) && ids.every(isItemId)) return ids as string[];
  throw new Error(`localrec('view', …) needs an item id or an array of them, got ${describeValue(value)}: e.g. localrec('view', ['sku-1', 'sku-2']).`);
}

function recommendOptions(value: unknown, fallbackCount: number): { count: number; exclude?: string[] } {
  const options = (value ?? {}) as { count?: unknown; exclude?: unknown };
  const count = typeof options === 'object' ? (options.count ?? fallbackCount) : undefined;
  if (!Number.isSafeInteger(count) || (count as number) < 0) {
    throw new Error(`localrec('recommend', …) needs { count } with a whole number of items, got ${describeValue(value)}: e.g. localrec('recommend', { count: 4 }).`);
  }
  return { count: count as number, ...(options.exclude === undefined ? {} : { exclude: itemIds(options.exclude) }) };
}

function rating(value: unknown): number {
  // '5' from a data attribute is fine; 'five' or an object is not.
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n === 'number' && Number.isFinite(n) && n >= 1 && n <= 5) return n;
  throw new Error(`localrec('rate', id, value) needs a rating from 1 to 5, got ${describeValue(value)}: e.g. localrec('rate', 'sku-123', 5).`);
}

const handlers: Record<Command, (hub: Hub, args: readonly unknown[], count: number) => Promise<unknown>> = {
  click: ({ recommender }, [id]) => recommender.click(itemId(id, 'click')),
  view: ({ recommender }, [ids]) => recommender.impressions(itemIds(ids)),
  recommend: ({ recommender }, [options], count) => recommender.recommend(recommendOptions(options, count)),
  rate: ({ recommender }, [id, value]) => recommender.rate(itemId(id, 'rate'), rating(value)),
  ready: ({ recommender }) => recommender.ready,
  export: ({ recommender }) => recommender.exportData(),
  reset: ({ recommender }) => recommender.reset(),
  forget: (hub) => hub.forget(),
};

/** Runs one `localrec(command, ...args)` call; rejects with an Error naming a bad command or argument. */
export async function runCommand(hub: Hub, command: unknown, args: readonly unknown[], defaultCount: number): Promise<unknown> {
  if (typeof command !== 'string' || !(COMMANDS as readonly string[]).includes(command)) {
    const shown = typeof command === 'string' && command.length <= 40 ? JSON.stringify(command) : describeValue(command);
    throw new Error(`Unknown localrec command ${shown}: use one of ${COMMANDS.map((c) => `'${c}'`).join(', ')}.`);
  }
  return handlers[command as Command](hub, args, defaultCount);
}
