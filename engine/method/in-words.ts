/** Accuracies and their differences as the run's texts write them: `81.2%`, `2.1` and `2.1 pts`. */
export const percentText = (v: number) => `${(v * 100).toFixed(1)}%`;
export const pointsNumber = (v: number) => (v * 100).toFixed(1);
export const pointsText = (v: number) => `${pointsNumber(v)} pts`;
