/**
 * The Content-Security-Policy of the app's page, in every host: the desktop window (header and meta tag)
 * and the web mode (header). Scripts, styles and fonts from the app only; previews (pictures, and the audio
 * clips the data check plays) arrive as data: URLs;
 * calls and the event stream go to the app's own origin. Inline styles are allowed because Svelte and
 * Chart.js set style attributes; inline scripts are not.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  'media-src data:',
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
