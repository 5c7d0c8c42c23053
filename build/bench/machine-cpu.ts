import { readFileSync } from 'node:fs';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

/**
 * CPU time the whole machine has spent so far (all cores, user and system), from /proc/stat. The
 * client and the servers share the machine's cores, so what the client spends the server waits for.
 */
export function machineCpuMs(): number {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields.map(Number);
  // USER_HZ is 100 on Linux: a tick is 10 ms.
  return (user + nice + system + irq + softirq) * 10;
}

/**
 * Counts this process's full (mark-compact) garbage collections from now on. Each one marks the
 * whole heap, mostly on helper threads: CPU the servers on the same cores then lack.
 */
export function countMajorGcs(): { readonly count: number; stop(): void } {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if ((entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) count += 1;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    get count() {
      return count;
    },
    stop: () => observer.disconnect(),
  };
}
