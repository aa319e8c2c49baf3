/** The IPC channels between main and preload: engine calls, run messages, the folder picker, menu navigation, the GPU window's channel end. */
export const IPC = {
  engineCall: 'engine:call',
  runMessage: 'engine:run-message',
  pickFolder: 'dialog:pick-folder',
  navigate: 'app:navigate',
  gpuPort: 'engine:gpu-port',
} as const;
