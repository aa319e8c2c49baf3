import type { Split } from '../protocol/dataset';
import { describeSample, type IssueLog } from './issues';
import type { Manifest, ManifestSample } from './manifest/types';

/** The paper's setting needs K >= 2 modalities (its Appendix B.2 generalises to any K). */
const MIN_MODALITIES = 2;
const MIN_CLASSES = 2;
/**
 * Ours: each run stores a confusion matrix per model, split and seed (classes² counts), and the data check
 * shows every class. 5,000 classes made one epoch's run 400 MB and `runs show` take 19 s; 1,000 keeps a run
 * within a few MB. A task with more classes is beyond what this app is for.
 */
export const MAX_CLASSES = 1000;

export function checkDuplicateIds(samples: ManifestSample[], log: IssueLog): void {
  const first = new Map<string, ManifestSample>();
  for (const sample of samples) {
    const earlier = first.get(sample.id);
    if (!earlier) {
      first.set(sample.id, sample);
      continue;
    }
    log.error({
      code: 'duplicate-id',
      file: sample.file,
      row: sample.line || undefined,
      sampleId: sample.id,
      column: 'id',
      message: `${describeSample(sample)}: id "${sample.id}" is already used on line ${earlier.line}; ids must be unique. Rename one of them.`,
    });
  }
}

export function checkModalityCount(manifest: Manifest, log: IssueLog): void {
  const count = manifest.modalities.length;
  if (count >= MIN_MODALITIES) return;
  log.error({
    code: 'too-few-modalities',
    file: manifest.file,
    message: `${manifest.file === '.' ? 'The dataset folder' : manifest.file} has ${count === 0 ? 'no modality' : `one modality ("${manifest.modalities[0]?.name}")`}; multi-modal training needs at least ${MIN_MODALITIES}. Add columns for another modality (NAME.FEATURE numbers or a column of file paths).`,
  });
}

/**
 * The classes are the labels seen in training (sorted). A label that appears only in val or test cannot be
 * learned, so each such sample is an error; a class missing from val or test is a warning.
 */
export function checkClasses(samples: ManifestSample[], splits: Split[], log: IssueLog): string[] {
  const trainLabels = new Set<string>();
  samples.forEach((s, i) => {
    if (splits[i] === 'train' && s.label) trainLabels.add(s.label);
  });
  const classes = [...trainLabels].sort();
  samples.forEach((s, i) => {
    if (!s.label || trainLabels.has(s.label)) return;
    log.error({
      code: 'unseen-label',
      file: s.file,
      row: s.line || undefined,
      sampleId: s.id,
      column: 'label',
      message: `${describeSample(s)} is in ${splits[i]} with label "${s.label}", which no training sample has; a model cannot learn a class it never sees. Move some "${s.label}" samples to train or remove the label.`,
    });
  });
  if (classes.length < MIN_CLASSES && samples.length > 0) {
    log.error({
      code: 'too-few-classes',
      message: `The training split has ${classes.length === 0 ? 'no labelled samples' : `only one class ("${classes[0]}")`}; a classifier needs at least ${MIN_CLASSES}. Add samples of other classes.`,
    });
  }
  if (classes.length > MAX_CLASSES) {
    log.error({
      code: 'too-many-classes',
      column: 'label',
      message: `The training split has ${classes.length} classes; Modality Studio handles at most ${MAX_CLASSES} (each run records a confusion matrix per model and split). Check that the label column holds class names rather than ids of samples, or merge classes.`,
    });
    return classes;
  }
  for (const label of classes) {
    const inSplit = (split: Split) => samples.some((s, i) => s.label === label && splits[i] === split);
    const absent = (['val', 'test'] as const).filter((split) => !inSplit(split));
    if (absent.length > 0) {
      log.warn({
        code: 'tiny-class',
        column: 'label',
        message: `Class "${label}" has no samples in ${absent.join(' or ')}; its accuracy there cannot be measured. Add more "${label}" samples.`,
      });
    }
  }
  return classes;
}
