// A private network namespace: its own loopback, its own firewall. Used to play a clinic whose
// firewall blocks the registry's passive data ports, without touching this machine's own network.
// Needs root, iproute2 and nftables.
import { execFileSync, spawnSync } from 'node:child_process';

export interface Netns {
  name: string;
  /** Run a command inside the namespace and return its result (never throws on exit code). */
  run(command: string, args: string[], options?: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): { status: number | null; stdout: string; stderr: string };
  /** Reject TCP connections to these ports inside the namespace, as a firewall would. */
  rejectTcpPorts(from: number, to: number): void;
  remove(): void;
}

export function createNetns(tag: string): Netns {
  const name = `rt-${tag}-${process.pid}`;
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
  const run: Netns['run'] = (command, args, options = {}) => {
    const result = spawnSync('ip', ['netns', 'exec', name, command, ...args], {
      env: options.env ?? process.env,
      input: options.input,
      timeout: options.timeoutMs ?? 60_000,
      encoding: 'utf8',
    });
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  };
  return {
    name,
    run,
    rejectTcpPorts(from, to) {
      const rules = `table inet clinic_firewall {
  chain output {
    type filter hook output priority 0; policy accept;
    tcp dport ${from}-${to} reject with tcp reset
  }
}
`;
      const result = run('nft', ['-f', '-'], { input: rules });
      if (result.status !== 0) throw new Error(`nft failed: ${result.stderr}`);
    },
    remove() {
      spawnSync('ip', ['netns', 'delete', name]);
    },
  };
}
