import type { MethodInfo } from '../../protocol/methods';
import type { MethodId } from '../../protocol/run';
import { auxCe } from './aux-ce';
import { lateFusion } from './late-fusion';
import { gBlending } from './g-blending';
import { modalityDropout } from './modality-dropout';
import { ogmGe } from './ogm-ge';
import type { TrainingMethod } from './method';
import { teacherMethod } from './teacher';
import { ume } from './ume';
import { umt } from './umt';

/**
 * Every training method a run can report, in the order results list them. Adding one is a file under
 * engine/method/methods and a line here; the protocol, the run store and the UI are keyed by its id.
 */
export const METHODS: readonly TrainingMethod[] = [lateFusion, ume, umt, auxCe, modalityDropout, ogmGe, gBlending];

/** The methods of a run on these modalities: the registry's, then each teacher alone. */
export function methodsFor(modalities: string[]): TrainingMethod[] {
  return [...METHODS, ...modalities.map(teacherMethod)];
}

/** The registry as a UI lists it; a method no run trains unless asked for is `optional`. */
export function describeMethods(): MethodInfo[] {
  return METHODS.map((m) => ({
    id: m.id,
    label: m.label,
    reference: m.reference,
    trains: m.trains,
    optional: !m.trainsIn({ goOn: 'ume', requested: [] }),
  }));
}

export function findMethod(id: MethodId, modalities: string[]): TrainingMethod | undefined {
  return methodsFor(modalities).find((m) => m.id === id);
}
