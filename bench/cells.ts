// The raw cells of a bench run, and the questions every table and goal asks of them. Ratios are
// taken within a round first (neighbours in time on a shared, noisy machine), then their median.
import type { ClientMeasurement, Scenario, ServerMeasurement, Variant } from './bench-plan';
import { median } from './figures';

export interface CellRecord {
  readonly round: number;
  readonly scenario: Scenario;
  readonly variant: Variant;
  readonly concurrency: number;
  readonly client: ClientMeasurement;
  readonly server: ServerMeasurement;
}

export const rpsOf = (cell: CellRecord) => cell.client.completed / (cell.client.windowMs / 1000);

export class Cells {
  constructor(readonly all: readonly CellRecord[]) {}

  /** Every round's cell of `variant` at `concurrency` in `scenario`. */
  pick(scenario: Scenario, variant: Variant, concurrency: number): CellRecord[] {
    return this.all.filter(
      (cell) => cell.scenario === scenario && cell.variant === variant && cell.concurrency === concurrency,
    );
  }

  /** The variants that ran in `scenario`, in the order they first appear. */
  variantsIn(scenario: Scenario): Variant[] {
    return [...new Set(this.all.filter((cell) => cell.scenario === scenario).map((cell) => cell.variant))];
  }

  /** How many rounds ran `scenario`. */
  roundsOf(scenario: Scenario): number {
    return new Set(this.all.filter((cell) => cell.scenario === scenario).map((cell) => cell.round)).size;
  }

  /** `compare` of `variant`'s cell and `other`'s in each round where both ran, in round order. */
  perRound(
    scenario: Scenario,
    variant: Variant,
    other: Variant,
    concurrency: number,
    compare: (cell: CellRecord, peer: CellRecord) => number,
  ): number[] {
    const peers = this.pick(scenario, other, concurrency);
    return this.pick(scenario, variant, concurrency).flatMap((cell) => {
      const peer = peers.find((candidate) => candidate.round === cell.round);
      return peer ? [compare(cell, peer)] : [];
    });
  }

  /**
   * `variant`'s req/s over `other`'s within each round, then the median. A peer that completed
   * nothing gives no ratio (NaN), not Infinity, which would pass any goal.
   */
  ratio(scenario: Scenario, variant: Variant, other: Variant, concurrency: number): number {
    return median(
      this.perRound(scenario, variant, other, concurrency, (cell, peer) =>
        rpsOf(peer) > 0 ? rpsOf(cell) / rpsOf(peer) : NaN,
      ),
    );
  }
}
