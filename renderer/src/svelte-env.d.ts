/// <reference types="svelte" />
/// <reference types="vite/client" />
import type { HostApi } from '../../engine/protocol/engine';

declare global {
  interface Window {
    /** Set by the desktop app's preload script; absent in a browser (web mode). */
    api?: HostApi;
  }
}
