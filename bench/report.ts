// Derived rows of the benchmark report: the PyTorch ratio, agreement with the
// peer, the fraction of the machine's limit, and the issue's targets.

/** Floating-point operations of one click, counted from the model's shapes (see the README). */
export function clickFlops(items: number, dim: number, clicks: number, steps: number): number {
  const sweep = 2 * items * dim + 2 * items + 3 * items; // scores, bias term, softmax (exp counted as one)
  const gradient = 2 * items * dim + 2 * items + 4 * dim; // Vᵀ·g, bᵀ·g, the update
  return 2 * clicks * dim + (steps + 1) * sweep + steps * gradient;
}

export interface ClickRow {
  backend: string;
  kernel: string;
  catalog: number;
  clicks: number;
  steps: number;
  p50_ms: number;
  p95_ms: number;
  n: number;
}

export interface PeerRow {
  catalog: number;
  clicks: number;
  p50_ms: number;
  p95_ms: number;
  n: number;
}

/** Engine p50 over the peer's p50 for every engine row that has a peer row (≤ 1: the engine is as fast or faster). */
export function peerRatios(engine: readonly ClickRow[], peer: readonly PeerRow[]) {
  return engine.flatMap((e) => {
    const p = peer.find((r) => r.catalog === e.catalog && r.clicks === e.clicks);
    return p ? [{ backend: e.backend, kernel: e.kernel, catalog: e.catalog, clicks: e.clicks, engine_p50_ms: e.p50_ms, peer_p50_ms: p.p50_ms, ratio: e.p50_ms / p.p50_ms }] : [];
  });
}

/**
 * Achieved GFLOP/s of one click against the backend's matrix-product peak (the
 * host kernel runs on the CPU's SIMD units: wasm's peak). Not for the WGSL
 * kernel: tfjs's webgpu matrix product is no measure of what WGSL can reach.
 */
export function limitRows(engine: readonly ClickRow[], peaks: readonly { backend: string; gflops: number }[], dim: number) {
  return engine.flatMap((e) => {
    if (e.kernel === 'wgsl') return [];
    const peak = peaks.find((p) => p.backend === (e.kernel === 'host' ? 'wasm' : e.backend));
    if (!peak) return [];
    const flops = clickFlops(e.catalog, dim, e.clicks, e.steps);
    const gflops = flops / (e.p50_ms * 1e6);
    return [{ backend: e.backend, kernel: e.kernel, catalog: e.catalog, clicks: e.clicks, mflop: flops / 1e6, gflops, peak_gflops: peak.gflops, fraction: gflops / peak.gflops }];
  });
}

/** Whether the engine's top 20 equals the peer's (same indices; largest score difference). */
export function agreement(engine: { indices: number[]; scores: number[] }, peer: { indices: number[]; scores: number[] }) {
  const same = engine.indices.length === peer.indices.length && engine.indices.every((i, j) => i === peer.indices[j]);
  const maxScoreDiff = Math.max(0, ...engine.scores.map((s, j) => Math.abs(s - (peer.scores[j] ?? NaN))));
  return { same_top20: same, max_score_diff: maxScoreDiff };
}

/** The issue's targets on the best backend, each with the measured value and whether it is met. */
export function targets(report: {
  clickToRanking: readonly ClickRow[];
  peerRatio: readonly { backend: string; kernel: string; catalog: number; clicks: number; ratio: number }[];
  scoring: readonly { backend: string; kernel: string; catalog: number; p50_ms: number }[];
  coldStart: readonly { backend: string; artifact: string; p50_ms: number }[];
  memory: readonly { backend: string; kernel: string; growth_tensors: number; growth_heap_kb: number; adaptations: number }[];
}) {
  const best = <T>(rows: readonly T[], value: (r: T) => number): T | undefined => [...rows].sort((a, b) => value(a) - value(b))[0];
  const click = best(report.clickToRanking.filter((r) => r.catalog === 10_000 && r.clicks === 20), (r) => r.p50_ms);
  const ratio = click && report.peerRatio.find((r) => r.backend === click.backend && r.kernel === click.kernel && r.catalog === 10_000 && r.clicks === 20);
  const million = best(report.scoring.filter((r) => r.catalog === 1_000_000), (r) => r.p50_ms);
  const cold = (artifact: string) => best(report.coldStart.filter((r) => r.artifact === artifact && r.backend !== 'auto'), (r) => r.p50_ms);
  // The longest runs: the host-memory backends (the GPU ones run a fifth, still warming up).
  const most = Math.max(0, ...report.memory.map((m) => m.adaptations));
  const flat = report.memory.filter((m) => m.adaptations === most);
  const label = (r?: { backend: string; kernel?: string }) => (r ? `${r.backend}${r.kernel ? `/${r.kernel}` : ''}` : 'not measured');
  const row = (target: string, where: string, value: number | undefined, limit: number, unit: string) => ({
    target,
    best: where,
    value: value === undefined ? NaN : value,
    limit,
    unit,
    met: value !== undefined && value <= limit,
  });
  return [
    row('click → top 20, 10k items, 20 clicks: p50', label(click), click?.p50_ms, 16, 'ms'),
    row('… against the PyTorch peer', label(click), ratio?.ratio, 1, 'ratio'),
    row('top 100 of 1,000,000 items: p50', label(million), million?.p50_ms, 150, 'ms'),
    row('cold start, artifact cached', label(cold('cached')), cold('cached')?.p50_ms, 1000, 'ms'),
    row('cold start, artifact uncached', label(cold('uncached')), cold('uncached')?.p50_ms, 2000, 'ms'),
    row(
      `worker JS heap growth per adaptation over ${most} adaptations (max)`,
      flat.map(label).join(', '),
      flat.length ? Math.max(...flat.map((m) => (1024 * m.growth_heap_kb) / m.adaptations)) : undefined,
      64,
      'bytes',
    ),
    row(
      `tensor growth over ${most} adaptations (max)`,
      flat.map(label).join(', '),
      flat.length ? Math.max(...flat.map((m) => m.growth_tensors)) : undefined,
      0,
      'tensors',
    ),
  ];
}

/**
 * Issue 15's targets for the WGSL kernel: at least 10× faster than the tfjs op
 * graph on webgpu (same run) for click → top 20 at 10k and 100k items (20
 * clicks) and for top 100 of 1M; ≤ 6 dispatches and 1 read-back per click;
 * the host kernel's top ids on every row.
 */
export function wgslTargets(report: {
  clickToRanking: readonly ClickRow[];
  scoring: readonly { backend: string; kernel: string; catalog: number; p50_ms: number }[];
  dispatches: readonly { kernel: string; catalog: number; kernels: number; readbacks?: number }[];
  hostAgreement: readonly { same_top: boolean; max_score_diff: number }[];
}) {
  const p50 = <T extends { backend: string; kernel: string; catalog: number; p50_ms: number }>(rows: readonly T[], kernel: string, catalog: number, extra: (r: T) => boolean = () => true) =>
    rows.find((r) => r.backend === 'webgpu' && r.kernel === kernel && r.catalog === catalog && extra(r))?.p50_ms;
  const speedUp = (target: string, tfjs: number | undefined, wgsl: number | undefined) => ({
    target,
    value: tfjs !== undefined && wgsl !== undefined ? tfjs / wgsl : NaN,
    limit: 10,
    unit: '× (webgpu/tfjs p50 ÷ wgsl p50, at least)',
    met: tfjs !== undefined && wgsl !== undefined && tfjs / wgsl >= 10,
  });
  const clicks20 = (r: ClickRow) => r.clicks === 20;
  const wgslDispatches = report.dispatches.filter((d) => d.kernel === 'wgsl');
  const most = wgslDispatches.length ? Math.max(...wgslDispatches.map((d) => d.kernels)) : NaN;
  const readbacks = wgslDispatches.length ? Math.max(...wgslDispatches.map((d) => d.readbacks ?? NaN)) : NaN;
  const agree = report.hostAgreement;
  return [
    speedUp('click → top 20, 10k items, 20 clicks', p50(report.clickToRanking, 'tfjs', 10_000, clicks20), p50(report.clickToRanking, 'wgsl', 10_000, clicks20)),
    speedUp('click → top 20, 100k items, 20 clicks', p50(report.clickToRanking, 'tfjs', 100_000, clicks20), p50(report.clickToRanking, 'wgsl', 100_000, clicks20)),
    speedUp('top 100 of 1,000,000 items', p50(report.scoring, 'tfjs', 1_000_000), p50(report.scoring, 'wgsl', 1_000_000)),
    { target: 'dispatches per click (max over catalogs)', value: most, limit: 6, unit: 'dispatches (at most)', met: most <= 6 },
    { target: 'read-backs per click', value: readbacks, limit: 1, unit: 'read-backs (at most)', met: readbacks <= 1 },
    {
      target: 'same top ids as the host kernel on every wgsl row (largest score difference)',
      value: agree.length ? Math.max(...agree.map((a) => a.max_score_diff)) : NaN,
      limit: 1e-4,
      unit: 'score',
      met: agree.length > 0 && agree.every((a) => a.same_top && a.max_score_diff <= 1e-4),
    },
  ];
}
