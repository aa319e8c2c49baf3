import type { DatasetIssue } from './dataset';
import type { MethodId } from './run';

/** What `model:predict` answers: each sample's predicted class, and the accuracy where labels are given. */
export interface Prediction {
  id: string;
  label: string;
  /** Probability of each class, in the card's class order. */
  probabilities: number[];
  /** The manifest's label, when it has one. */
  actual?: string;
}

export interface PredictionReport {
  /** The method of the model (a fused network, or the teachers' averaged predictions). */
  method: MethodId;
  classes: string[];
  predictions: Prediction[];
  /** Over the samples whose manifest gives a known label; absent when none does. */
  accuracy?: number;
  errors: DatasetIssue[];
  errorCount: number;
  warnings: DatasetIssue[];
}
