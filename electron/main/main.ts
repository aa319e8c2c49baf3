/**
 * Entry of the desktop app's main process (bundled to dist/electron/main.cjs). Electron is required at run
 * time rather than imported, so the rest of the main process is typed against `ElectronApi` and tested
 * with fakes; the package is optional and absent where its binary cannot be downloaded.
 */
import { bundledPaths, startDesktopApp } from './desktop-app';
import type { ElectronApi } from './electron-api';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const electron = require('electron') as ElectronApi;

startDesktopApp(electron, bundledPaths(__dirname), process.env, process.platform).whenStarted.catch((error: Error) => {
  console.error(`Modality Studio could not start: ${error.message}`);
  electron.app.quit();
});
