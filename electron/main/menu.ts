import type { MenuItemOptions } from './electron-api';

/** The app menu: the platform's standard roles, plus the app's own pages. */
export function menuTemplate(platform: NodeJS.Platform, go: (hash: string) => void): MenuItemOptions[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Run', accelerator: 'CmdOrCtrl+N', click: () => go('#/') },
        { label: 'Runs', accelerator: 'CmdOrCtrl+R', click: () => go('#/runs') },
        { type: 'separator' },
        { role: mac ? 'close' : 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
}
