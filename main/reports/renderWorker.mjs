// Starts the report renderer from its TypeScript source (compiled on the fly by tsx, like the CLI).
import { register } from 'tsx/esm/api';

register();
await import('./renderWorker.ts');
