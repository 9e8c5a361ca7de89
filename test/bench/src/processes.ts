/** @module Child processes of a bench run: start, wait until ready, sample, and always stop — also on error or Ctrl-C. */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync } from "node:fs";

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Open an IPC channel (`child.send` / `"message"`), as `fork` does. */
  ipc?: boolean;
  /** Pin to these CPUs (`taskset -c`, which execs the command: the pid stays the command's). */
  cpus?: string;
}

export interface Managed {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The last output lines, for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/** Every process this group started; `stopAll()` ends them (SIGTERM, then SIGKILL after a grace period). */
export class ProcessGroup {
  readonly #members = new Set<Managed>();
  readonly #onExit = (): void => this.killNow();

  constructor() {
    process.on("exit", this.#onExit);
  }

  start(options: StartOptions): Managed {
    const [command, args] = options.cpus ? ["taskset", ["-c", options.cpus, options.command, ...options.args]] : [options.command, options.args];
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
    });
    if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
    let tail = "";
    const keep = (data: Buffer): void => {
      tail = (tail + data.toString("utf8")).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
    const managed: Managed = { name: options.name, child, pid: child.pid, output: () => tail, exited };
    this.#members.add(managed);
    void exited.then(() => this.#members.delete(managed));
    return managed;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  async stop(managed: Managed, graceMs = 2_000): Promise<void> {
    if (managed.child.exitCode !== null || managed.child.signalCode !== null) return;
    managed.child.kill("SIGTERM");
    const timer = setTimeout(() => managed.child.kill("SIGKILL"), graceMs);
    await managed.exited;
    clearTimeout(timer);
  }

  async stopAll(graceMs = 2_000): Promise<void> {
    await Promise.all([...this.#members].map((m) => this.stop(m, graceMs)));
    process.off("exit", this.#onExit);
  }

  /** Synchronous last resort (process exit): SIGKILL whatever is left. */
  killNow(): void {
    for (const m of this.#members) {
      if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill("SIGKILL");
    }
  }
}

/** Wait for a `{"listening": port}` line on the child's stdout. */
export function waitForListening(managed: Managed, timeoutMs = 15_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => done(new Error(`${managed.name} did not report a port within ${timeoutMs} ms: ${managed.output().trim()}`)), timeoutMs);
    const onData = (data: Buffer): void => {
      buffer += data.toString("utf8");
      const match = /\{"listening":(\d+)\}/.exec(buffer);
      if (match) done(undefined, Number(match[1]));
    };
    const onExit = (): void => done(new Error(`${managed.name} exited before listening: ${managed.output().trim()}`));
    function done(error: Error | undefined, port?: number): void {
      clearTimeout(timer);
      managed.child.stdout?.off("data", onData);
      managed.child.off("exit", onExit);
      if (error) reject(error);
      else resolve(port!);
    }
    managed.child.stdout?.on("data", onData);
    managed.child.once("exit", onExit);
  });
}

/** A port that was free a moment ago on 127.0.0.1 (for servers that cannot report the port they chose). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Poll `url` until it answers any HTTP status (or the process exits, or time runs out). */
export async function waitForHttp(managed: Managed, url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (managed.child.exitCode !== null || managed.child.signalCode !== null) {
      throw new Error(`${managed.name} exited (${managed.child.exitCode ?? managed.child.signalCode}): ${managed.output().trim().slice(-600)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${managed.name} did not answer ${url} within ${timeoutMs} ms (${lastError}): ${managed.output().trim().slice(-600)}`);
}

/** Resident set size of a process in bytes (VmRSS), undefined when it is gone or /proc is missing. */
export function rssBytes(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used, in clock ticks (USER_HZ, 100 on Linux). */
/** Write system calls the process has made (`syscw` of /proc/PID/io: write, writev and the like, sockets included). */
export function writeCalls(pid: number): number | undefined {
  try {
    const m = /^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

export function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after pid and comm.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * The kernel's count of connections dropped because a listening socket's accept queue was full (TcpExt
 * ListenOverflows) and of all listen drops (ListenDrops), from /proc/net/netstat. They count for the whole
 * network namespace (other programs on the machine included); undefined where the file is missing.
 */
export function listenDrops(): { overflows: number; drops: number } | undefined {
  try {
    const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
    const names = lines.find((l) => l.startsWith("TcpExt:"))?.split(/\s+/);
    const values = lines.filter((l) => l.startsWith("TcpExt:"))[1]?.split(/\s+/);
    if (names === undefined || values === undefined) return undefined;
    const value = (name: string): number => Number(values[names.indexOf(name)]);
    const counts = { overflows: value("ListenOverflows"), drops: value("ListenDrops") };
    return Number.isFinite(counts.overflows) && Number.isFinite(counts.drops) ? counts : undefined;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ); 100 on every Linux the bench targets. */
export const TICKS_PER_SECOND = 100;

/** Samples a process's RSS every `everyMs` while running; returns the peak. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number | undefined } {
  let peak: number | undefined;
  const take = (): void => {
    const rss = rssBytes(pid);
    if (rss !== undefined && (peak === undefined || rss > peak)) peak = rss;
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

const strays = new Set<ChildProcess>();
let strayHook = false;

/** For one-off children outside a ProcessGroup (compile and decide runs): SIGKILL them if the harness exits first. */
export function killOnExit(child: ChildProcess): void {
  strays.add(child);
  child.once("exit", () => strays.delete(child));
  if (!strayHook) {
    strayHook = true;
    process.on("exit", () => {
      for (const c of strays) c.kill("SIGKILL");
    });
  }
}
