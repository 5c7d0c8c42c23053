// Ctrl+C (or a service manager's SIGTERM) during a transfer stops it cleanly: the file being sent
// has its temporary copy removed from the registry, the rest are not started, and the history says
// so. A second Ctrl+C ends the process at once, as usual.
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface InterruptWatch {
  signal: AbortSignal;
  dispose(): void;
}

export function watchInterrupt(): InterruptWatch {
  const controller = new AbortController();
  const onSignal = () => {
    controller.abort();
    // With no listener left, Node's default handling (end the process) comes back for the next one.
    for (const name of SIGNALS) process.removeListener(name, onSignal);
  };
  for (const name of SIGNALS) process.once(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of SIGNALS) process.removeListener(name, onSignal);
    },
  };
}
