import type { ScheduleName } from '../protocol/run';

/**
 * Learning-rate schedules of paper A.2: StepLR (step 10, γ 0.1) for VGG-Sound with Adam, and
 * ReduceLROnPlateau (patience 1, factor 0.1) for UCF101. Step: every `stepEpochs` epochs the rate is
 * multiplied by 0.1. Plateau: when the validation loss has not improved for `patience` epochs, by 0.1.
 */
export class LearningRateSchedule {
  private best = Infinity;
  private badEpochs = 0;
  rate: number;

  private readonly stepShare: number;

  constructor(
    private readonly name: ScheduleName,
    initial: number,
    private readonly totalEpochs: number,
    options: { stepShare?: number | undefined; plateauPatience?: number } = {},
  ) {
    this.rate = initial;
    this.stepShare = options.stepShare ?? 0.5;
    this.plateauPatience = options.plateauPatience ?? 1;
  }

  private readonly plateauPatience: number;

  /** Everything that decides later rates, for checkpoints. */
  get state(): { rate: number; best: number; badEpochs: number } {
    return { rate: this.rate, best: this.best, badEpochs: this.badEpochs };
  }

  set state(value: { rate: number; best: number | null; badEpochs: number }) {
    this.rate = value.rate;
    this.best = value.best ?? Infinity;
    this.badEpochs = value.badEpochs;
  }

  /** Called after each epoch (1-based) with its validation loss; returns the rate for the next epoch. */
  afterEpoch(epoch: number, valLoss: number): number {
    if (this.name === 'step') {
      // Paper: step 10 of 20 epochs (a share of ½), kept for other epoch counts; OGM-GE's recipe steps at 70
      // of 100 epochs (main.py's StepLR(70, 0.1)), a share of 0.7.
      const stepEpochs = Math.max(1, Math.round(this.totalEpochs * this.stepShare));
      if (epoch % stepEpochs === 0) this.rate *= 0.1;
    } else if (this.name === 'plateau') {
      if (valLoss < this.best - 1e-4) {
        this.best = valLoss;
        this.badEpochs = 0;
      } else {
        this.badEpochs += 1;
        if (this.badEpochs > this.plateauPatience) {
          this.rate *= 0.1;
          this.badEpochs = 0;
        }
      }
    }
    return this.rate;
  }
}
