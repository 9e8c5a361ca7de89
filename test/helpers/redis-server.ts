/**
 * @module A real redis-server or valkey-server for tests: 127.0.0.1, an ephemeral port, no
 * persistence, a temp dir. Installs the Debian package when the binary is missing (as root), so
 * `.ci/run` passes on a fresh machine: `redis-server` from the release's main archive, `valkey-server`
 * from bookworm-backports on Debian 12 (which packages Valkey only there; the backports source is added
 * in a file of its own when no configured source names it). Options for a password, an ACL user and TLS
 * (self-signed).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** Which server: Redis (Debian's redis-server) or Valkey, its open fork (valkey-server). */
export type RedisKind = "redis" | "valkey";

/** The servers the parameterised suites run against: both, unless SWITCHYARD_TEST_REDIS names one. */
export function redisKinds(): RedisKind[] {
  const only = process.env["SWITCHYARD_TEST_REDIS"];
  return only === "redis" || only === "valkey" ? [only] : ["redis", "valkey"];
}

export interface RedisServerOptions {
  /** Which server to start (default "redis"). */
  kind?: RedisKind;
  /** `requirepass` of the default user. */
  password?: string;
  /** An ACL user with every permission (`user:password@` URLs). */
  user?: { name: string; password: string };
  /** Serve TLS only (rediss://), with a self-signed certificate for 127.0.0.1 made with openssl. */
  tls?: boolean;
  /** A port chosen beforehand (freeRedisPort()); default a fresh ephemeral one. */
  port?: number;
  /**
   * Pin the server to these CPUs (`taskset -c`, e.g. "0"; taskset execs the server, so the pid stays the
   * server's). Benchmarks use it to keep redis-server off the router's core, as an external service would be.
   */
  cpus?: string;
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

/** The server binary of `kind`, installed with apt-get when it is not on PATH. */
export function redisBinary(kind: RedisKind = "redis"): string {
  const binary = `${kind}-server`;
  if (onPath(binary)) return binary;
  if (kind === "valkey") installValkey();
  else aptInstall(binary);
  return binary;
}

/** Install a Debian package that puts `binary` on PATH (as root, non-interactive). */
function aptInstall(binary: string, pkg = binary, extra: string[] = []): void {
  if (process.getuid?.() !== 0) throw new Error(`no ${binary} on PATH, and not root to \`apt-get install -y ${pkg}\``);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { env, stdio: "ignore", timeout: 300_000 });
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...extra, pkg], { env, stdio: "ignore", timeout: 300_000 });
  if (!onPath(binary)) throw new Error(`apt-get install ${pkg} did not put ${binary} on PATH`);
}

/** The file this helper writes when no configured apt source names bookworm-backports. */
const BACKPORTS_SOURCE = "/etc/apt/sources.list.d/switchyard-bookworm-backports.sources";

/**
 * Valkey from Debian: bookworm (12) has it only in bookworm-backports (valkey-server 8.0.x); later
 * releases in main. On bookworm the backports suite is added as a deb822 file of its own, beside the
 * machine's sources and signed by the same archive key, and only when no source names it yet;
 * backports' default pin (100) means nothing else on the machine is upgraded from it.
 */
function installValkey(): void {
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "")?.[1]?.trim();
  if (codename !== "bookworm") {
    aptInstall("valkey-server");
    return;
  }
  if (process.getuid?.() !== 0) throw new Error("no valkey-server on PATH, and not root to install it from bookworm-backports");
  if (!aptSourcesName("bookworm-backports")) {
    writeFileSync(
      BACKPORTS_SOURCE,
      [
        "# Added by Switchyard's test helper (test/helpers/redis-server.ts) to install valkey-server.",
        "Types: deb",
        "URIs: http://deb.debian.org/debian",
        "Suites: bookworm-backports",
        "Components: main",
        "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
        "",
      ].join("\n"),
    );
  }
  aptInstall("valkey-server", "valkey-server", ["-t", "bookworm-backports"]);
}

/** Whether a configured apt source (sources.list, sources.list.d/*.list|*.sources) names `suite`. */
function aptSourcesName(suite: string): boolean {
  const files = ["/etc/apt/sources.list"];
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (f.endsWith(".list") || f.endsWith(".sources")) files.push(`${dir}/${f}`);
  return files.some((f) => {
    if (!existsSync(f)) return false;
    const text = readFileSync(f, "utf8");
    return text.split("\n").some((line) => !line.trimStart().startsWith("#") && new RegExp(`(^|\\s)${suite}(\\s|$)`).test(line));
  });
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
  const binary = redisBinary(options.kind);
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
    const [command, argv] = options.cpus === undefined ? [binary, args] : ["taskset", ["-c", options.cpus, binary, ...args]];
    const proc = spawn(command, argv, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
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
