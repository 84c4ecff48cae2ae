// The desktop shell's entry: Electron runs this file; it compiles the TypeScript sources on the fly
// (tsx), as the CLI does, then starts the shell.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
