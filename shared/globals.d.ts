// The few host APIs that every runtime of shared/ (Node, the sandboxed renderer, workers) provides.
// shared/ is checked without DOM or Node types, so they are declared here and nothing else is.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
