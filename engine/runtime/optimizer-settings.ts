/**
 * The optimizers' fixed settings, shared by tfjs's optimizers (optimizers.ts) and the compiled WebGPU step's
 * (webgpu/optimizers.ts) without importing tfjs, so the desktop app's GPU window page stays free of it.
 */

/** SGD's momentum (the paper's SGD recipes, A.2, use momentum 0.9). */
export const SGD_MOMENTUM = 0.9;
