import { catalogItems } from '../../../src/artifact';
import { describe, expect, it } from 'vitest';
import { checkModelJson } from '../../../src/artifact/check';
import { sha256Hex } from '../../../src/artifact/sha256';
import { decodeModelV2, encodeModelV2, filesV2, type FinishedModel } from '../../../src/artifact/v2';
import { USER_PARAM_NAMES } from '../../../src/core/int8-model';
import { dequantizeRow } from '../../../src/core/int8-rows';
import { listRow } from '../../../src/core/item-lists';
import { createRng } from '../../../src/math/rng';

/** A finished model of `items` random items (dim 6: stored padded to 8), with neighbours and links on some items. */
function finished(items = 300, dim = 6, m = 5): FinishedModel {
  const rng = createRng(`v2-${items}`);
  const normal = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * 0.5);
  const ids = new Int32Array(items * m).fill(-1);
  const sims = new Float32Array(items * m);
  for (let i = 0; i < items; i++) {
    // Most similar first, as training writes them; some lists short.
    const count = i % 4 === 0 ? 2 : m;
    for (let s = 0; s < count; s++) {
      ids[i * m + s] = (i + 1 + s * 37) % items;
      sims[i * m + s] = 0.9 - 0.1 * s;
    }
  }
  // Transitions: up to 3 next items per item, weights above 1 (they are counts, not similarities).
  const next = { m: 3, ids: new Int32Array(items * 3).fill(-1), sims: new Float32Array(items * 3) };
  for (let i = 0; i < items; i += 2) {
    for (let s = 0; s < (i % 3) + 1; s++) {
      next.ids[i * 3 + s] = (i * 7 + 11 * s + 3) % items;
      next.sims[i * 3 + s] = 3 - s;
    }
  }
  const user: Record<string, Float32Array> = {};
  for (const name of USER_PARAM_NAMES) user[name] = normal(name === 'userInit' || name === 'logLrUser' ? dim : 1);
  user['recencyDecay'] = Float32Array.of(0.25);
  return {
    algorithm: 'maml',
    items,
    dim,
    vectors: normal(items * dim),
    context: normal(items * dim),
    bias: normal(items),
    neighbours: { m, ids, sims },
    transitions: next,
    user,
    catalog: Array.from({ length: items }, (_, i) => ({
      id: `sku-${i}`,
      title: `Item “${i}” <b>`,
      tags: i % 2 ? ['odd'] : [],
      ...(i % 3 === 0 ? { url: `https://shop.example/p/${i}`, image: `/img/${i}.jpg` } : {}),
    })),
    steps: 2,
    negativeWeight: 0.5,
    training: { seed: 1 },
    data: { name: 'tiny', fingerprint: '00', users: 9, items, interactions: 99 },
    validation: { ndcg10: 0.5 },
  };
}

const json = (files: Record<string, Uint8Array>) => JSON.parse(new TextDecoder().decode(files['model.json'])) as Record<string, any>;

describe('model format v2', () => {
  it('round-trips the quantized table, prior, neighbours, per-visitor parameters and catalog (items renumbered, found by id)', async () => {
    const model = finished();
    const files = await encodeModelV2(model);
    const decoded = await decodeModelV2(json(files), files);
    const { vectors, context, bias } = decoded.model.items;
    expect(decoded.meta.formatVersion).toBe(2);
    expect(decoded.meta.version).toMatch(/^maml-[0-9a-f]{12}$/);
    expect([vectors.n, vectors.dim, context.dim]).toEqual([300, 8, 8]);
    // Where each original item went: the locality order moves them.
    const at = model.catalog.map((c) => decoded.catalog.indexOf(c.id)!);
    expect(new Set(at).size).toBe(300);
    expect(at.some((j, i) => j !== i)).toBe(true);
    const row = new Float32Array(8);
    for (let i = 0; i < 300; i++) {
      const j = at[i]!;
      for (const [rows, values] of [[vectors, model.vectors], [context, model.context]] as const) {
        dequantizeRow(rows, j, row);
        for (let d = 0; d < 6; d++) expect(Math.abs(row[d]! - values[i * 6 + d]!)).toBeLessThanOrEqual(rows.scales[j]! / 2 + 1e-7);
        expect([row[6], row[7]]).toEqual([0, 0]);
      }
      // int16 prior: within half a step of its range / 65534.
      expect(Math.abs(bias[j]! - model.bias[i]!)).toBeLessThan(1e-4);
      const list = listRow(decoded.model.neighbours!, j);
      const want = [...Array(5).keys()].filter((s) => model.neighbours!.ids[i * 5 + s]! >= 0).map((s) => at[model.neighbours!.ids[i * 5 + s]!]!);
      expect(list.ids).toEqual(want.sort((a, b) => a - b));
      // The sequential term's lists, renumbered alike, their weights within one 8-bit step.
      const seq = listRow(decoded.model.transitions!, j);
      const t = model.transitions!;
      const wantSeq = [...Array(3).keys()].filter((s) => t.ids[i * 3 + s]! >= 0).map((s) => [at[t.ids[i * 3 + s]!]!, t.sims[i * 3 + s]!] as const);
      expect(seq.ids).toEqual(wantSeq.map(([id]) => id).sort((a, b) => a - b));
      for (const [id, w] of wantSeq) expect(Math.abs(seq.weights[seq.ids.indexOf(id)]! - w)).toBeLessThanOrEqual(3 / 255 / 2 + 1e-6);
      expect(decoded.catalog.item(j)).toEqual(model.catalog[i]);
      expect(decoded.catalog.id(j)).toBe(model.catalog[i]!.id);
    }
    expect(Array.from(decoded.model.user.userInit)).toEqual([...model.user['userInit']!, 0, 0]);
    for (const name of ['logitDecay', 'logSeqInit', 'logLrSeq'] as const) expect(Array.from(decoded.model.user[name])).toEqual(Array.from(model.user[name]!));
    expect(Array.from(decoded.model.user.logShrink)).toEqual(Array.from(model.user['logShrink']!));
    expect(decoded.model.user['recencyDecay']?.[0]).toBe(0.25);
  });

  it('keeps the given item order when asked, and its locality order stores fewer id bytes', async () => {
    // Neighbours within hidden clusters of 40 items scattered over the catalog order.
    const rng = createRng('clusters');
    const items = 4_000;
    const cluster = Array.from({ length: items }, () => rng.int(100));
    const members = Array.from({ length: 100 }, (_, c) => cluster.flatMap((k, i) => (k === c ? [i] : [])));
    const m = 10;
    const ids = new Int32Array(items * m).fill(-1);
    const sims = new Float32Array(items * m);
    for (let i = 0; i < items; i++) {
      const pool = members[cluster[i]!]!.filter((j) => j !== i);
      for (let s = 0; s < Math.min(m, pool.length); s++) {
        ids[i * m + s] = pool[(i + s) % pool.length]!;
        sims[i * m + s] = 0.5 - 0.01 * s;
      }
    }
    const model = { ...finished(items, 6, 5), neighbours: { m, ids, sims } };
    const catalogOrder = await encodeModelV2(model, { order: 'catalog' });
    const kept = await decodeModelV2(json(catalogOrder), catalogOrder);
    expect(catalogItems(kept.catalog).map((c) => c.id)).toEqual(model.catalog.map((c) => c.id));
    const files = await encodeModelV2(model);
    const local = await decodeModelV2(json(files), files);
    expect(local.model.neighbours!.entries).toBe(kept.model.neighbours!.entries);
    expect(local.model.neighbours!.ids.byteLength).toBeLessThan(0.8 * kept.model.neighbours!.ids.byteLength);
  });

  it('cuts weights and catalog into shards of at most the shard size, each listed with its SHA-256 and size', async () => {
    const files = await encodeModelV2(finished(2_000), { maxShardBytes: 20_000 });
    const meta = json(files)['localrec'];
    expect(meta.weights.length).toBeGreaterThan(3);
    expect(meta.catalog.length).toBeGreaterThan(3);
    expect(filesV2(json(files)).sort()).toEqual(Object.keys(files).filter((f) => f !== 'model.json').sort());
    for (const [name, entry] of Object.entries(meta.files as Record<string, { sha256: string; bytes: number }>)) {
      expect(files[name]!.byteLength).toBe(entry.bytes);
      expect(entry.bytes).toBeLessThanOrEqual(20_000);
      expect(await sha256Hex(files[name]!)).toBe(entry.sha256);
    }
    const decoded = await decodeModelV2(json(files), files);
    expect(decoded.catalog.length).toBe(2_000);
    expect(decoded.model.neighbours!.rows).toBe(2_000);
  });

  it('gives the same version for the same model, and a new one when anything the runtime reads changes', async () => {
    const a = json(await encodeModelV2(finished()))['localrec'].version;
    expect(json(await encodeModelV2(finished()))['localrec'].version).toBe(a);
    const changed = finished();
    changed.user['popInit']![0]! += 0.5;
    expect(json(await encodeModelV2(changed))['localrec'].version).not.toBe(a);
  });

  it('refuses a tampered or cut shard, a missing file and a section that does not fit the shape, naming the file', async () => {
    const files = await encodeModelV2(finished());
    const bad = files['weights-000.bin']!.slice();
    bad[100] = (bad[100]! + 1) % 256;
    await expect(decodeModelV2(json(files), { ...files, 'weights-000.bin': bad })).rejects.toThrow(/"weights-000\.bin" of model maml-[0-9a-f]{12} failed verification: SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    await expect(decodeModelV2(json(files), { ...files, 'weights-000.bin': bad.subarray(0, 50) })).rejects.toThrow(/"weights-000\.bin" .* has 50 bytes, expected \d+\. The download was cut short/);
    const { ['catalog-000.json']: _, ...missing } = files;
    await expect(decodeModelV2(json(files), missing)).rejects.toThrow(/missing "catalog-000\.json": download every file/);
    // hashes: false (bytes this runtime verified before storing them) skips SHA-256 only: sizes, files and sections are still checked.
    await expect(decodeModelV2(json(files), { ...files, 'weights-000.bin': bad }, { hashes: false })).resolves.toBeDefined();
    await expect(decodeModelV2(json(files), { ...files, 'weights-000.bin': bad.subarray(0, 50) }, { hashes: false })).rejects.toThrow(/has 50 bytes, expected \d+/);
    await expect(decodeModelV2(json(files), missing, { hashes: false })).rejects.toThrow(/missing "catalog-000\.json"/);
    const wrongDim = json(files);
    wrongDim['localrec'].sections.context.dim = 12;
    await expect(decodeModelV2(wrongDim, files)).rejects.toThrow(/sections\.context\.dim is 12, not the model's dim 8/);
    const outside = json(files);
    outside['localrec'].sections.vectors.codes.offset = 10 ** 9;
    await expect(decodeModelV2(outside, files)).rejects.toThrow(/sections\.vectors\.codes .* not a span inside/);
    const unknown = json(files);
    unknown['localrec'].sections.transitions = { type: 'product-quantized', rows: 300 };
    await expect(decodeModelV2(unknown, files)).rejects.toThrow(/transitions is a "product-quantized" section/);
    const noUser = json(files);
    delete noUser['localrec'].user.logLrKnn;
    await expect(decodeModelV2(noUser, files)).rejects.toThrow(/localrec\.user\.logLrKnn must be 1 finite numbers/);
  });

  it('refuses list bytes that name items outside the catalog, even with matching hashes', async () => {
    const files = await encodeModelV2(finished(300));
    const m = json(files);
    // Row 1's five ids (one byte each) set to 127: its first item is row 1 − 64, outside the catalog.
    const at = m['localrec'].sections.neighbours.ids.offset + 2;
    const shard = files['weights-000.bin']!.slice();
    shard.fill(127, at, at + 5);
    m['localrec'].files['weights-000.bin'].sha256 = await sha256Hex(shard);
    await expect(decodeModelV2(m, { ...files, 'weights-000.bin': shard })).rejects.toThrow(
      /Section "neighbours" of model.json does not decode \(Item list of row 1 names item -63; the catalog has 300 items\)/,
    );
  });

  it('is rejected by the version 1 reader with an error that says to update', async () => {
    const files = await encodeModelV2(finished());
    expect(() => checkModelJson(json(files))).toThrow('model.json has format version 2: update localrec (this runtime reads version 1).');
  });

  it('refuses catalog links a page could run, naming the item', async () => {
    const model = finished(10);
    const bad = { ...model, catalog: model.catalog.map((c, i) => (i === 4 ? { ...c, url: 'javascript:alert(1)' } : c)) };
    await expect(encodeModelV2(bad)).rejects.toThrow(/Catalog item 4 \(id "sku-4"\) has the url "javascript:alert\(1\)": use an http\(s\) URL or a path/);
    const files = await encodeModelV2(model);
    const text = new TextDecoder().decode(files['catalog-000.json']).replace('/img/3.jpg', 'data:image/png;base64,AAAA');
    const catalog = new TextEncoder().encode(text);
    const m = json(files);
    m['localrec'].files['catalog-000.json'] = { sha256: await sha256Hex(catalog), bytes: catalog.byteLength };
    await expect(decodeModelV2(m, { ...files, 'catalog-000.json': catalog })).rejects.toThrow(/catalog-000\.json item \d+ \(id "sku-3"\) has the image "data:image/);
  });
});
