#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx modality-studio` works in a checkout right after
// `npm install` with no build step that could go stale.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../engine/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
