import type { DatasetIssue } from '../protocol/dataset';
import { DatasetFileError } from './dataset-file';
import { decodeCell } from './decode';
import { describeSample } from './issues';
import type { Cell } from './manifest/types';
import type { ModalityPlan } from './plan';
import type { LocatedFile } from './probe';

/** One sample to decode: what a decode worker needs of it (plain data, so it crosses to a worker thread). */
export interface DecodeJob {
  sample: { id: string; file: string; line: number };
  /** For each plan, in plan order: the sample's cell and, for a file cell, the located file. */
  cells: ({ cell: Cell; file?: LocatedFile } | null)[];
}

/** Per-sample values in plan order, or the issue that kept the sample out. */
export type DecodeOutcome = { ok: true; values: Float32Array[] } | { ok: false; issue: DatasetIssue };

export async function decodeSample(job: DecodeJob, plans: ModalityPlan[]): Promise<DecodeOutcome> {
  const values: Float32Array[] = [];
  for (const [index, plan] of plans.entries()) {
    const entry = job.cells[index];
    if (!entry)
      return {
        ok: false,
        issue: {
          code: 'missing-file',
          sampleId: job.sample.id,
          column: plan.name,
          message: `${describeSample(job.sample)} has no value for modality "${plan.name}".`,
        },
      };
    try {
      values.push(await decodeCell(entry.cell, entry.file, plan));
    } catch (error) {
      return { ok: false, issue: decodeIssue(job.sample, plan.name, entry.file, error) };
    }
  }
  return { ok: true, values };
}

/** The issue for a file that could not be read or decoded, naming the sample, its line and the file. */
export function decodeIssue(
  sample: DecodeJob['sample'],
  modality: string,
  file: LocatedFile | undefined,
  error: unknown,
): DatasetIssue {
  const where = {
    file: file?.relative,
    row: sample.line > 0 ? sample.line : undefined,
    sampleId: sample.id,
    column: modality,
  };
  if (error instanceof DatasetFileError) {
    return {
      ...where,
      code: error.reason === 'too-large' ? 'file-too-large' : 'unreadable-file',
      message: `${describeSample(sample)}: ${error.message}`,
    };
  }
  const systemCode = (error as NodeJS.ErrnoException).code;
  if (systemCode === 'EACCES' || systemCode === 'EPERM' || systemCode === 'EIO') {
    return {
      ...where,
      code: 'unreadable-file',
      message: `${describeSample(sample)}: ${file?.relative} could not be read (${systemCode}); check that you have permission to read it.`,
    };
  }
  const extension = file?.extension ?? '';
  return {
    ...where,
    code: corruptCode(extension),
    message: `${describeSample(sample)}: ${file?.relative ?? `modality "${modality}"`} cannot be used: ${(error as Error).message}. Replace the file with a valid ${extension.slice(1).toUpperCase() || 'value'} or remove the sample.`,
  };
}

/** The issue code for a file whose contents could not be read as its extension says. */
export function corruptCode(extension: string): DatasetIssue['code'] {
  if (extension === '.wav') return 'corrupt-audio';
  if (extension === '.npy') return 'corrupt-array';
  if (extension === '.json') return 'corrupt-json';
  return 'corrupt-image';
}
