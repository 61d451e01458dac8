import type { AdaptEvent, RankingEvent, Recommender } from '../index';
import { announce, errorDetail } from './events';
import { EVENTS } from './protocol';

/** What the hub needs from a rendered widget. */
export interface WidgetView extends EventTarget {
  render(ranking: RankingEvent): void;
  /** The recommender could not start: say so instead of loading forever. */
  unavailable(): void;
}

/**
 * Connects one recommender to the widgets on the page: fans its rankings out
 * to them, turns its events into `localrec:*` DOM events, and records what a
 * visitor picks in a widget.
 */
export class Hub {
  private readonly widgets = new Set<WidgetView>();
  private latest: RankingEvent | null = null;
  private lastStep: AdaptEvent | null = null;
  private failed = false;
  private forgotten = false;

  constructor(readonly recommender: Recommender) {
    recommender.ready.then(
      (info) => this.announce(EVENTS.ready, info),
      (error: unknown) => {
        this.failed = true;
        for (const widget of this.widgets) widget.unavailable();
        this.announce(EVENTS.error, errorDetail(error));
      },
    );
    recommender.on('adapt', (step) => (this.lastStep = step));
    // Forgetting stops the worker on purpose; its "recommender was forgotten" error is no news.
    recommender.on('error', (error) => this.forgotten || this.announce(EVENTS.error, error));
    recommender.on('ranking', (ranking) => this.onRanking(ranking));
  }

  /** Starts rendering into `widget` (at once, when a ranking is known); returns the detach function. */
  attach(widget: WidgetView): () => void {
    this.widgets.add(widget);
    if (this.latest) widget.render(this.latest);
    else if (this.failed) widget.unavailable();
    return () => this.widgets.delete(widget);
  }

  /**
   * A visitor picked `itemId` in a widget that showed `shown`: the others count
   * as impressions (negatives), then the click adapts the model.
   */
  async choose(itemId: string, shown: readonly string[]): Promise<void> {
    try {
      const others = shown.filter((id) => id !== itemId);
      if (others.length > 0) await this.recommender.impressions(others);
      await this.recommender.click(itemId);
    } catch (error) {
      this.announce(EVENTS.error, errorDetail(error, 'click'));
    }
  }

  /** Deletes everything stored about the visitor and stops; widgets empty themselves. */
  async forget(): Promise<void> {
    this.forgotten = true;
    await this.recommender.forget();
    // The last ranking and step are about the visitor too: a widget added later must not show them.
    this.latest = null;
    this.lastStep = null;
    this.failed = true;
    for (const widget of this.widgets) widget.unavailable();
  }

  announce(name: (typeof EVENTS)[keyof typeof EVENTS], detail: unknown): void {
    announce(name, detail, this.widgets);
  }

  private onRanking(ranking: RankingEvent): void {
    if (this.forgotten) return;
    this.latest = ranking;
    for (const widget of this.widgets) widget.render(ranking);
    this.announce(EVENTS.ranking, ranking);
    if (ranking.cause === 'click' || ranking.cause === 'rating') {
      this.announce(EVENTS.adapted, { cause: ranking.cause, metrics: ranking.metrics, lastStep: this.lastStep });
    }
  }
}
