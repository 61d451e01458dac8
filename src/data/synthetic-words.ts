/**
 * Word lists for the synthetic catalog: generic categories, attribute tags and
 * syllables for invented brand and person names (no real products or films).
 */
import type { Rng } from '../math/rng';

/** Category names with the nouns their item titles use. */
export const CATEGORY_THEMES = [
  { name: 'Outdoor', nouns: ['Lantern', 'Tent', 'Backpack', 'Hammock', 'Trail Map', 'Canteen'] },
  { name: 'Kitchen', nouns: ['Skillet', 'Kettle', 'Knife Set', 'Cutting Board', 'Spice Rack', 'Whisk'] },
  { name: 'Garden', nouns: ['Trowel', 'Planter', 'Seed Kit', 'Watering Can', 'Pruner', 'Trellis'] },
  { name: 'Fitness', nouns: ['Yoga Mat', 'Kettlebell', 'Jump Rope', 'Foam Roller', 'Resistance Band', 'Water Bottle'] },
  { name: 'Audio', nouns: ['Headphones', 'Speaker', 'Turntable', 'Microphone', 'Amplifier', 'Earbuds'] },
  { name: 'Reading', nouns: ['Novel', 'Atlas', 'Cookbook', 'Field Guide', 'Anthology', 'Journal'] },
  { name: 'Toys', nouns: ['Puzzle', 'Building Set', 'Kite', 'Plush Fox', 'Marble Run', 'Robot Kit'] },
  { name: 'Travel', nouns: ['Suitcase', 'Neck Pillow', 'Packing Cubes', 'Passport Wallet', 'Duffel', 'Adapter'] },
  { name: 'Crafts', nouns: ['Yarn Bundle', 'Sketchbook', 'Paint Set', 'Loom', 'Clay Kit', 'Brush Set'] },
  { name: 'Pets', nouns: ['Dog Bed', 'Cat Tree', 'Leash', 'Feeder', 'Chew Toy', 'Grooming Brush'] },
  { name: 'Office', nouns: ['Desk Lamp', 'Notebook', 'Monitor Stand', 'Pen Set', 'Organizer', 'Chair Cushion'] },
  { name: 'Beauty', nouns: ['Face Serum', 'Hair Dryer', 'Lip Balm', 'Bath Salts', 'Comb Set', 'Hand Cream'] },
  { name: 'Games', nouns: ['Board Game', 'Card Deck', 'Dice Set', 'Chess Set', 'Party Game', 'Game Mat'] },
  { name: 'Tools', nouns: ['Drill', 'Wrench Set', 'Tape Measure', 'Level', 'Toolbox', 'Work Light'] },
  { name: 'Home', nouns: ['Throw Blanket', 'Candle', 'Vase', 'Wall Clock', 'Rug', 'Cushion'] },
  { name: 'Cycling', nouns: ['Helmet', 'Bike Light', 'Saddle Bag', 'Pump', 'Bell', 'Gloves'] },
] as const;

/** Attribute tags; each category draws its tag pool from these. */
export const TAG_WORDS = [
  'compact', 'vintage', 'premium', 'eco', 'handmade', 'classic', 'smart', 'wireless',
  'family', 'pro', 'mini', 'rugged', 'minimalist', 'colorful', 'organic', 'waterproof',
  'lightweight', 'cozy', 'retro', 'modern', 'quiet', 'portable', 'durable', 'playful',
  'elegant', 'budget', 'deluxe', 'foldable', 'rechargeable', 'artisan', 'sporty', 'kids',
] as const;

/** Tags any item may carry regardless of category. */
export const GLOBAL_TAGS = ['bestseller', 'new-arrival', 'gift-idea', 'limited-edition', 'on-sale'] as const;

const TITLE_ADJECTIVES = [
  'Everyday', 'Nimble', 'Sunny', 'Silver', 'Quiet', 'Bold', 'Little', 'Grand', 'Misty', 'Copper',
  'Amber', 'Swift', 'Gentle', 'Northern', 'Coastal', 'Urban', 'Wild', 'Velvet', 'Stone', 'Cedar',
] as const;

const BRAND_START = ['Zel', 'Mor', 'Tav', 'Quil', 'Bren', 'Ost', 'Ferr', 'Lum', 'Kav', 'Sor', 'Drin', 'Ybb'] as const;
const BRAND_END = ['vora', 'dex', 'ique', 'wick', 'ora', 'ston', 'ella', 'mark', 'ity', 'ano', 'ek', 'holt'] as const;

const NAME_SYLLABLES = ['ka', 'lo', 'mi', 're', 'sa', 'tu', 'vi', 'no', 'el', 'an', 'ri', 'do', 'be', 'ya', 'zu', 'fe'] as const;

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[rng.int(list.length)] as T;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** An invented brand name, e.g. "Zelvora". */
export function makeBrand(rng: Rng): string {
  return pick(rng, BRAND_START) + pick(rng, BRAND_END);
}

/** An invented product title, e.g. "Zelvora Copper Lantern". */
export function makeTitle(rng: Rng, nouns: readonly string[]): string {
  return `${makeBrand(rng)} ${pick(rng, TITLE_ADJECTIVES)} ${pick(rng, nouns)}`;
}

/** An invented person name, e.g. "Kalo Ritusa". */
export function makePersonName(rng: Rng): string {
  const word = (syllables: number): string =>
    capitalize(Array.from({ length: syllables }, () => pick(rng, NAME_SYLLABLES)).join(''));
  return `${word(2)} ${word(2 + rng.int(2))}`;
}

/** The name of category i: a theme name, suffixed with a number once the themes run out. */
export function categoryName(i: number): { name: string; nouns: readonly string[] } {
  const theme = CATEGORY_THEMES[i % CATEGORY_THEMES.length]!;
  const round = Math.floor(i / CATEGORY_THEMES.length);
  return { name: round === 0 ? theme.name : `${theme.name} ${round + 1}`, nouns: theme.nouns };
}
