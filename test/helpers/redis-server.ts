/**
 * @module A real redis-server (valkey-server when present) for tests: 127.0.0.1, an ephemeral port,
 * no persistence, a temp dir. Installs Debian's redis-server when no binary is on PATH (as root), so
 * `.ci/run` passes on a fresh machine. Options for a password, an ACL user and TLS (self-signed).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface RedisServerOptions {
  /** `requirepass` of the default user. */
  password?: string;
  /** An ACL user with every permission (`user:password@` URLs). */
  user?: { name: string; password: string };
  /** Serve TLS only (rediss://), with a self-signed certificate for 127.0.0.1 made with openssl. */
  tls?: boolean;
  /** A port chosen beforehand (freeRedisPort()); default a fresh ephemeral one. */
  port?: number;
}

export interface RedisServer {
  /** Which binary runs ("redis-server" or "valkey-server") and its version line. */
  binary: string;
  version: string;
  port: number;
  /** redis:// (or rediss://) URL of database `db` (default 0), with the configured credentials. */
  url(db?: number, credentials?: "password" | "user" | "none"): string;
  /** The self-signed CA certificate (PEM) when `tls`. */
  ca: string | undefined;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** Stop, then start again on the same port (an empty data set: no persistence). */
  restart(): Promise<void>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** SIGSTOP: the process holds its connections but answers nothing (a hung server). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Run one command with the server's CLI (redis-cli or valkey-cli), as the default user; its output. */
  cli(...args: string[]): string;
}

/** The server binary on PATH: valkey-server first, then redis-server; installs redis-server when neither is there. */
export function redisBinary(): string {
  for (const name of ["valkey-server", "redis-server"]) {
    if (onPath(name)) return name;
  }
  aptInstall("redis-server");
  return "redis-server";
}

/** Install a Debian package that puts `binary` on PATH (as root, non-interactive). */
function aptInstall(binary: string, pkg = binary): void {
  if (process.getuid?.() !== 0) throw new Error(`no ${binary} on PATH, and not root to \`apt-get install -y ${pkg}\``);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { env, stdio: "ignore", timeout: 300_000 });
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", pkg], { env, stdio: "ignore", timeout: 300_000 });
  if (!onPath(binary)) throw new Error(`apt-get install ${pkg} did not put ${binary} on PATH`);
}

function onPath(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on 127.0.0.1 (to point a client at a server started later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Start a server; call stop() (or kill()) when done. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisBinary();
  const version = execFileSync(binary, ["--version"]).toString().trim();
  const dir = mkdtempSync(path.join(tmpdir(), "switchyard-redis-"));
  let ca: string | undefined;
  const tlsArgs: string[] = [];
  if (options.tls === true) {
    if (!onPath("openssl")) aptInstall("openssl");
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    ca = readFileSync(cert, "utf8");
    tlsArgs.push("--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", cert, "--tls-auth-clients", "no");
  }
  const port = options.port ?? (await freePort());
  const args = [
    "--bind",
    "127.0.0.1",
    ...(options.tls === true ? ["--port", "0", "--tls-port", String(port), ...tlsArgs] : ["--port", String(port)]),
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
    "--protected-mode",
    "no",
    "--loglevel",
    "notice",
    ...(options.password === undefined ? [] : ["--requirepass", options.password]),
    ...(options.user === undefined ? [] : ["--user", options.user.name, "on", `>${options.user.password}`, "~*", "&*", "+@all"]),
  ];

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const launch = async (): Promise<void> => {
    const proc = spawn(binary, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    // A test process that ends without stop() (a failed hook, a worker torn down) takes its server with it.
    const reap = (): void => {
      proc.kill("SIGKILL");
    };
    process.once("exit", reap);
    exited = new Promise((resolve) =>
      proc.once("exit", () => {
        process.off("exit", reap);
        resolve();
      }),
    );
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${binary} did not start in 10 s:\n${out}`)), 10_000);
      const onData = (d: Buffer): void => {
        out += d.toString();
        if (out.includes("Ready to accept connections")) {
          clearTimeout(timer);
          proc.stdout.off("data", onData);
          resolve();
        }
      };
      proc.stdout.on("data", onData);
      proc.stderr.on("data", (d: Buffer) => (out += d.toString()));
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${binary} exited with ${code}:\n${out}`));
      });
    });
    proc.stdout.resume();
  };
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGCONT");
      child.kill(sig);
    }
    await exited;
  };

  await launch();
  const scheme = options.tls === true ? "rediss" : "redis";
  return {
    binary,
    version,
    port,
    ca,
    url(db = 0, credentials) {
      const which = credentials ?? (options.user !== undefined ? "user" : options.password !== undefined ? "password" : "none");
      const auth =
        which === "user" && options.user !== undefined
          ? `${encodeURIComponent(options.user.name)}:${encodeURIComponent(options.user.password)}@`
          : which === "password" && options.password !== undefined
            ? `:${encodeURIComponent(options.password)}@`
            : "";
      return `${scheme}://${auth}127.0.0.1:${port}/${db}`;
    },
    async stop() {
      await signal("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await signal("SIGTERM");
      for (let i = 0; ; i++) {
        try {
          await launch();
          return;
        } catch (error) {
          if (i >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100)); // the port may linger a moment
        }
      }
    },
    async kill() {
      await signal("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
    pause() {
      child?.kill("SIGSTOP");
    },
    resume() {
      child?.kill("SIGCONT");
    },
    cli(...cmd) {
      const cliBinary = binary.replace(/-server$/, "-cli");
      const auth = options.password === undefined ? [] : ["--no-auth-warning", "-a", options.password];
      const tls = options.tls === true ? ["--tls", "--cacert", path.join(dir, "cert.pem")] : [];
      return execFileSync(cliBinary, ["-p", String(port), ...auth, ...tls, ...cmd]).toString();
    },
  };
}
