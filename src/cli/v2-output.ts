// The one road to format v2 from the command line: a verified v1 artifact
// (what training writes) finished and encoded. `npm run train -- --model-format 2`
// and `npm run convert` both take it, so both write the same files.
import { parseArtifact, type Model } from '../artifact';
import { encodeModelV2, type EncodeOptions } from '../artifact/v2/encode';
import { finishV1 } from '../artifact/v2/finish';
import type { CatalogItemV2 } from '../artifact/v2/format';

/** A v1 artifact's files (model.json included), verified and decoded; the caller disposes the model. */
export async function readV1(files: Readonly<Record<string, Uint8Array>>): Promise<Model> {
  return parseArtifact(JSON.parse(new TextDecoder().decode(files['model.json'])) as unknown, files);
}

/** The format v2 files of a v1 artifact's files (needs a tfjs backend: the item table is computed once, here). */
export async function v2FromV1(files: Readonly<Record<string, Uint8Array>>, options: EncodeOptions = {}): Promise<{ files: Record<string, Uint8Array>; source: Model['meta'] }> {
  const model = await readV1(files);
  try {
    const finished = await finishV1(model, withLinks(model.catalog, files['catalog.json']!));
    return { files: await encodeModelV2(finished, options), source: model.meta };
  } finally {
    model.dispose();
  }
}

/** v1's catalog items with the url and image its catalog.json carries (v1's reader keeps only id, title and tags). */
function withLinks(catalog: readonly CatalogItemV2[], bytes: Uint8Array): CatalogItemV2[] {
  const raw = (JSON.parse(new TextDecoder().decode(bytes)) as { items: { url?: unknown; image?: unknown }[] }).items;
  return catalog.map((item, i) => {
    const { url, image } = raw[i] ?? {};
    return { ...item, ...(typeof url === 'string' ? { url } : {}), ...(typeof image === 'string' ? { image } : {}) };
  });
}
