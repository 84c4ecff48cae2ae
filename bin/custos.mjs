#!/usr/bin/env node
// The custos command. Sources are TypeScript, compiled on the fly by tsx (cached), so the command
// works straight after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../main/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
