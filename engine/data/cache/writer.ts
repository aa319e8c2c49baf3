import fs from 'node:fs';
import path from 'node:path';
import type { Split } from '../../protocol/dataset';
import type { ModalityPlan } from '../plan';
import type { CacheMeta, CachedModality, Normalization } from './meta';
import { makeFolder } from '../../util/folders';
import { partialName, removeStalePartials } from '../../util/partials';

/**
 * Streams decoded samples into a new cache folder: one float32 file per modality, sample-major, in manifest
 * order. Writes go to a temporary folder that is renamed into place by {@link finish}, so a crash or a
 * failed validation never leaves a cache that looks complete.
 */
export class CacheWriter {
  private readonly tempDir: string;
  private readonly fds: number[];
  private readonly stats: StatsAccumulator[];

  constructor(
    private readonly finalDir: string,
    private readonly plans: ModalityPlan[],
  ) {
    makeFolder(path.dirname(finalDir));
    removeStalePartials(finalDir);
    this.tempDir = path.join(path.dirname(finalDir), `${partialName(finalDir)}${Date.now()}`);
    fs.mkdirSync(this.tempDir);
    this.fds = plans.map((_, i) => fs.openSync(path.join(this.tempDir, fileName(i)), 'w'));
    this.stats = plans.map((plan) => new StatsAccumulator(plan));
  }

  /** Appends one sample (one array per modality, in plan order); `split` decides whether it feeds the statistics. */
  append(values: Float32Array[], split: Split): void {
    values.forEach((data, i) => {
      fs.writeSync(this.fds[i] as number, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (split === 'train') this.stats[i]?.add(data);
    });
  }

  finish(meta: Omit<CacheMeta, 'modalities'>): CacheMeta {
    this.closeFiles();
    const modalities: CachedModality[] = this.plans.map((plan, i) => ({
      ...plan,
      file: fileName(i),
      normalization: this.stats[i]?.result() ?? null,
    }));
    const full: CacheMeta = { ...meta, modalities };
    fs.writeFileSync(path.join(this.tempDir, 'meta.json'), JSON.stringify(full));
    fs.rmSync(this.finalDir, { recursive: true, force: true });
    fs.renameSync(this.tempDir, this.finalDir);
    return full;
  }

  abort(): void {
    this.closeFiles();
    fs.rmSync(this.tempDir, { recursive: true, force: true });
  }

  private closeFiles(): void {
    for (const fd of this.fds.splice(0)) fs.closeSync(fd);
  }
}

function fileName(index: number): string {
  return `modality-${index}.f32`;
}

/** Sums in float64 over the training split; vectors per feature, audio as one scalar; images need none. */
class StatsAccumulator {
  private readonly sum: Float64Array;
  private readonly sumSquares: Float64Array;
  private count = 0;
  private readonly perFeature: boolean;

  constructor(private readonly plan: ModalityPlan) {
    this.perFeature = plan.kind === 'vector';
    const width = this.perFeature ? (plan.shape[0] ?? 0) : 1;
    this.sum = new Float64Array(width);
    this.sumSquares = new Float64Array(width);
  }

  add(data: Float32Array): void {
    if (this.plan.kind === 'image') return;
    const width = this.sum.length;
    for (let i = 0; i < data.length; i += 1) {
      const value = data[i] ?? 0;
      const j = this.perFeature ? i % width : 0;
      this.sum[j] = (this.sum[j] ?? 0) + value;
      this.sumSquares[j] = (this.sumSquares[j] ?? 0) + value * value;
    }
    this.count += this.perFeature ? 1 : data.length;
  }

  result(): Normalization | null {
    if (this.plan.kind === 'image' || this.count === 0) return null;
    const mean = Array.from(this.sum, (s) => s / this.count);
    // A constant feature keeps std 1 so that it becomes 0 rather than a division by zero.
    const std = Array.from(this.sumSquares, (s, i) => {
      const variance = s / this.count - (mean[i] ?? 0) ** 2;
      return variance > 1e-12 ? Math.sqrt(variance) : 1;
    });
    return { mean, std };
  }
}
