import { useState } from 'react';

/** A long operation the user starts (sync, verify): whether it runs, and what it gave. */
export function useRun<T>() {
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const run = (start: () => Promise<T>, after?: (r: T) => void) => {
    setRunning(true);
    setResult(null);
    setError(null);
    start().then(
      (r) => {
        setResult(r);
        setRunning(false);
        after?.(r);
      },
      (e: Error) => {
        setError(e);
        setRunning(false);
      },
    );
  };
  return { running, result, error, run };
}
