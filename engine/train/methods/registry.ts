import type { MethodId } from '../../protocol/run';
import { auxCe } from './aux-ce';
import { lateFusion } from './late-fusion';
import { modalityDropout } from './modality-dropout';
import type { TrainingMethod } from './method';
import { teacherMethod } from './teacher';
import { ume } from './ume';
import { umt } from './umt';

/**
 * Every training method a run can report, in the order results list them. Adding one is a file under
 * engine/train/methods and a line here; the protocol, the run store and the UI are keyed by its id.
 */
export const METHODS: readonly TrainingMethod[] = [lateFusion, ume, umt, auxCe, modalityDropout];

/** The methods of a run on these modalities: the registry's, then each teacher alone. */
export function methodsFor(modalities: string[]): TrainingMethod[] {
  return [...METHODS, ...modalities.map(teacherMethod)];
}

export function findMethod(id: MethodId, modalities: string[]): TrainingMethod | undefined {
  return methodsFor(modalities).find((m) => m.id === id);
}
