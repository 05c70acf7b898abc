/**
 * Which requests the server ignores on purpose. The book drops at random
 * (`random.random() < 0.5`); spreading the drops evenly instead makes the demonstration
 * and the tests repeatable: rate 0.5 drops the 1st, 3rd, 5th... request, rate 1 drops all.
 */
const SCALE = 1_000_000;

export class DropSchedule {
  private readonly perMillion: number;
  private seen = 0;

  constructor(rate: number) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`drop rate must be within 0..1, got ${rate}`);
    this.perMillion = Math.round(rate * SCALE);
  }

  /** Decides for the next request: drop it when it takes the dropped count to a new whole. */
  next(): boolean {
    const before = Math.ceil((this.seen * this.perMillion) / SCALE);
    this.seen++;
    return Math.ceil((this.seen * this.perMillion) / SCALE) > before;
  }
}
