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

const registered: TrainingMethod[] = [lateFusion, ume, umt, auxCe, modalityDropout, ogmGe, gBlending];

/**
 * Every training method a run can report, in the order results list them. Adding one is a file under
 * engine/method/methods and a line here (or a {@link registerMethod} call); the protocol, the run store and
 * the UI are keyed by its id.
 */
export const METHODS: readonly TrainingMethod[] = registered;

/**
 * Adds a method to the registry from outside this file (a plug-in, a test's own method); returns how to take
 * it out again. Everything that lists methods reads the registry, so nothing else needs to know of it.
 */
export function registerMethod(method: TrainingMethod): () => void {
  if (registered.some((m) => m.id === method.id))
    throw new Error(`A method with id "${method.id}" is registered already.`);
  registered.push(method);
  return () => {
    const at = registered.indexOf(method);
    if (at >= 0) registered.splice(at, 1);
  };
}

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
