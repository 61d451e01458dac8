// The PyTorch peer's share of a benchmark run: the same artifacts and the same
// click lists as the browser measures (clickCases is seeded), timed in Python.
import type { BenchCatalog } from './catalogs';
import { peerClicks, peerScoring, peerUnavailable } from './peer';
import { clickCases, summary } from './stats';

export interface PeerPhase {
  readonly torch?: string;
  readonly threads?: number;
  readonly clickToRanking: { catalog: number; clicks: number; p50_ms: number; p95_ms: number; n: number }[];
  readonly scoring: { catalog: number; topk: number; p50_ms: number; p95_ms: number; n: number }[];
  /** The first case's top 20 per `${catalog}/${clicks}`, to compare with the engine's. */
  readonly firstRankings: Map<string, { indices: number[]; scores: number[] }>;
}

/** Times the peer on every catalog × click count, and on ranking alone; empty when PyTorch is missing. */
export async function peerPhase(
  catalogs: readonly BenchCatalog[],
  clickCounts: readonly number[],
  reps: number,
  scoringItems: readonly number[],
  dim: number,
  log: (line: string) => void,
): Promise<PeerPhase> {
  const out: PeerPhase = { clickToRanking: [], scoring: [], firstRankings: new Map() };
  const unavailable = peerUnavailable();
  if (unavailable) {
    log(`PyTorch peer skipped: ${unavailable}`);
    return out;
  }
  let version: { torch: string; threads: number } | undefined;
  for (const catalog of catalogs) {
    for (const clicks of clickCounts) {
      const answer = await peerClicks(catalog.dir, clickCases(catalog.items, clicks, reps).map((c) => ({ clicks: c })), 20);
      version = { torch: answer.torch, threads: answer.threads };
      const times = answer.results.map((r) => r.ms);
      out.clickToRanking.push({ catalog: catalog.items, clicks, ...summary(times) });
      out.firstRankings.set(`${catalog.items}/${clicks}`, answer.results[0]!);
      log(`peer ${catalog.items} items, ${clicks} clicks: p50 ${summary(times).p50_ms.toFixed(2)} ms`);
    }
  }
  for (const items of scoringItems) {
    const answer = await peerScoring(items, dim, 100, Math.max(3, Math.min(reps, Math.round(2e6 / items))));
    out.scoring.push({ catalog: items, topk: 100, ...summary(answer.results) });
    log(`peer top 100 of ${items}: p50 ${summary(answer.results).p50_ms.toFixed(1)} ms`);
  }
  return { ...out, ...version };
}
