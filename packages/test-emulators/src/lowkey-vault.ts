import { execFile, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./free-port.js";
import { isCi } from "./moto.js";
import { findExecutable, startProcess } from "./process.js";

/** Maven coordinates of the Lowkey Vault (Azure Key Vault emulator) application jar. */
export const LOWKEY_VAULT_ARTIFACT = "com.github.nagyesta.lowkey-vault:lowkey-vault-app:3.4.33";

const JAR_NAME = "lowkey-vault-app-3.4.33.jar";
/** Lowkey Vault 3.x runs on Java 17 or newer. */
const MIN_JAVA = 17;
/** Environment variable that points at a Lowkey Vault jar to use instead of the cached one. */
export const LOWKEY_VAULT_JAR_ENV = "COFFER_LOWKEY_VAULT_JAR";

/** A running Lowkey Vault on 127.0.0.1 with two vaults registered through its management API. */
export interface LowkeyVault {
  /**
   * URL of a vault whose recovery level is `Recoverable+Purgeable` (soft delete, purge allowed),
   * for example `https://127.0.0.1:41234`.
   */
  readonly vaultUrl: string;
  /**
   * URL of a second vault (same server, host `localhost`) whose recovery level is `Recoverable`:
   * soft delete with purge protection, so it refuses purges.
   */
  readonly protectedVaultUrl: string;
  /** PEM file (mode 0600) of the server's self-signed certificate: trust it as a CA, e.g. via `NODE_EXTRA_CA_CERTS`. */
  readonly caCertPath: string;
  /** The same certificate as PEM text, for an SDK's CA option. */
  readonly caCertPem: string;
  /** Base URL of Lowkey Vault's management API (`POST {managementUrl}/vault` creates a vault). */
  readonly managementUrl: string;
  /** Everything Lowkey Vault wrote so far. */
  logs(): string;
  /** Stop the server and remove its temporary files. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startLowkeyVault}. */
export interface StartLowkeyVaultOptions {
  /** Jar to run. @default `$COFFER_LOWKEY_VAULT_JAR`, else `<repo>/.cache/lowkey-vault/lowkey-vault-app-3.4.33.jar` (downloaded with Maven when absent) */
  jarPath?: string;
  /** Give up when Lowkey Vault does not answer within this long. @default 120000 */
  timeoutMs?: number;
}

/** Where the jar is cached: `<repo root>/.cache/lowkey-vault/` (git-ignored). */
export function lowkeyVaultCacheDir(): string {
  // src/lowkey-vault.ts and dist/lowkey-vault.js are both three levels below the repo root.
  return fileURLToPath(new URL("../../../.cache/lowkey-vault/", import.meta.url));
}

/** The jar {@link startLowkeyVault} runs unless told otherwise. */
export function lowkeyVaultJarPath(): string {
  const fromEnv = process.env[LOWKEY_VAULT_JAR_ENV];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(lowkeyVaultCacheDir(), JAR_NAME);
}

function mavenArgs(outputDir: string): string[] {
  return ["-q", "-B", "dependency:copy", `-Dartifact=${LOWKEY_VAULT_ARTIFACT}`, `-DoutputDirectory=${outputDir}`];
}

function tailOf(text: string, max = 2_000): string {
  const trimmed = text.trim();
  return trimmed.length > max ? `…${trimmed.slice(-max)}` : trimmed;
}

/** Why the jar at `jarPath` cannot be had, after trying Maven when it is the cached jar; undefined when present. */
function ensureJarSync(jarPath: string): string | undefined {
  if (existsSync(jarPath)) return undefined;
  if (jarPath !== join(lowkeyVaultCacheDir(), JAR_NAME)) return `the Lowkey Vault jar ${jarPath} does not exist`;
  if (findExecutable("mvn") === undefined) {
    return `the Lowkey Vault jar is not cached at ${jarPath} and Maven (mvn) is not on PATH to fetch ${LOWKEY_VAULT_ARTIFACT}`;
  }
  mkdirSync(dirname(jarPath), { recursive: true, mode: 0o700 });
  const run = spawnSync("mvn", mavenArgs(dirname(jarPath)), { encoding: "utf8", timeout: 10 * 60_000 });
  if (existsSync(jarPath)) return undefined;
  const output = tailOf(`${run.stdout ?? ""}\n${run.stderr ?? ""}`);
  return `mvn could not fetch ${LOWKEY_VAULT_ARTIFACT}${output ? `:\n${output}` : ""}`;
}

/** Same as {@link ensureJarSync} without blocking the event loop. */
async function ensureJar(jarPath: string): Promise<void> {
  if (existsSync(jarPath)) return;
  if (jarPath !== join(lowkeyVaultCacheDir(), JAR_NAME) || findExecutable("mvn") === undefined) {
    const reason = ensureJarSync(jarPath);
    if (reason !== undefined) throw new Error(`cannot start Lowkey Vault: ${reason}`);
    return;
  }
  mkdirSync(dirname(jarPath), { recursive: true, mode: 0o700 });
  const output = await new Promise<string>((resolve) => {
    execFile(
      "mvn",
      mavenArgs(dirname(jarPath)),
      { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (_err, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
  });
  if (!existsSync(jarPath)) {
    throw new Error(`cannot start Lowkey Vault: mvn could not fetch ${LOWKEY_VAULT_ARTIFACT}:\n${tailOf(output)}`);
  }
}

/** Major version of the `java` on PATH, or a reason it cannot be used. */
function javaProblem(): string | undefined {
  if (findExecutable("java") === undefined) return `java (${MIN_JAVA} or newer) is not on PATH`;
  if (findExecutable("keytool") === undefined) return "keytool (part of the JDK) is not on PATH";
  const run = spawnSync("java", ["-version"], { encoding: "utf8", timeout: 30_000 });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${run.stderr ?? ""}${run.stdout ?? ""}`);
  if (!match) return "`java -version` did not report a version";
  const major = match[1] === "1" ? Number(match[2]) : Number(match[1]);
  return major >= MIN_JAVA ? undefined : `java on PATH is version ${major}; Lowkey Vault needs ${MIN_JAVA} or newer`;
}

/** Maven's words for "the registry has no such artifact" (as opposed to a network failure). */
const ARTIFACT_ABSENT = /Could not find artifact|Unable to find artifact|was not found in|Failure to find/;

function banner(reason: string, last: string): void {
  console.warn(
    [
      "",
      "!".repeat(78),
      "!! SKIPPED: tests against the Azure Key Vault emulator (Lowkey Vault) did not run:",
      `!! ${reason.split("\n")[0]}`,
      `!! They are reported as skipped, not passed. ${last}`,
      "!".repeat(78),
      "",
    ].join("\n"),
  );
}

/**
 * Why Lowkey Vault-backed suites cannot run here, or undefined when they can. Fetches the jar
 * with Maven when it is not cached yet (so the first call may take a while). Use it
 * synchronously with `describe.skipIf(lowkeyVaultUnavailableReason() !== undefined)`. When a
 * reason is returned, a loud banner is printed so the skip is never mistaken for a pass. Under
 * CI it returns undefined (a missing emulator then fails the suite in {@link startLowkeyVault})
 * unless the Maven registry answers that the artifact does not exist.
 */
export function lowkeyVaultUnavailableReason(): string | undefined {
  if (isCi()) {
    // Under CI a missing emulator is an error, with one exception: the registry answering that
    // the artifact does not exist. That is a final "no" no retry or install step can change
    // (lowkey-vault-app is not published to Maven Central), so the suites are reported as
    // skipped, loudly, with the registry's answer, instead of failing every CI run.
    if (javaProblem() !== undefined) return undefined;
    const fetchProblem = ensureJarSync(lowkeyVaultJarPath());
    if (fetchProblem === undefined || !ARTIFACT_ABSENT.test(fetchProblem)) return undefined;
    banner(
      `${LOWKEY_VAULT_ARTIFACT} is not available from the Maven registry (it answered: artifact not found)`,
      "This is final for this machine's registries; see docs/providers/azure.md.",
    );
    return fetchProblem;
  }
  const reason = javaProblem() ?? ensureJarSync(lowkeyVaultJarPath());
  if (reason === undefined) return undefined;
  banner(reason, "Set CI=true to make this an error.");
  return reason;
}

interface HttpsAnswer {
  status: number;
  body: string;
}

/** One HTTPS request that trusts exactly `ca`. */
function httpsCall(method: string, url: string, ca: string, body?: unknown): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        ca,
        timeout: 5_000,
        headers:
          payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Run keytool with the keystore password in its environment (never in its arguments). */
function keytool(args: string[], password: string): string {
  const run = spawnSync("keytool", args, {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, LOWKEY_KEYSTORE_PASSWORD: password },
  });
  if (run.status !== 0) {
    throw new Error(`cannot start Lowkey Vault: keytool ${args[0]} failed: ${tailOf(`${run.stdout}\n${run.stderr}`)}`);
  }
  return run.stdout;
}

/**
 * Make a fresh self-signed server certificate for 127.0.0.1 and localhost in a PKCS#12 keystore,
 * so the harness knows the exact certificate to trust instead of accepting whatever is served.
 */
function makeKeystore(dir: string): { keystorePath: string; password: string; pem: string } {
  const keystorePath = join(dir, "lowkey-vault.p12");
  const password = randomBytes(18).toString("base64url");
  const pass = "-storepass:env";
  keytool(
    [
      "-genkeypair",
      "-alias",
      "lowkey",
      // RSA: Lowkey Vault pins TLS_ECDHE_RSA_* / TLS 1.3 suites.
      "-keyalg",
      "RSA",
      "-keysize",
      "2048",
      "-validity",
      "3",
      "-dname",
      "CN=localhost",
      "-ext",
      "SAN=dns:localhost,ip:127.0.0.1",
      "-storetype",
      "PKCS12",
      "-keystore",
      keystorePath,
      pass,
      "LOWKEY_KEYSTORE_PASSWORD",
      "-keypass:env",
      "LOWKEY_KEYSTORE_PASSWORD",
    ],
    password,
  );
  const pem = keytool(
    ["-exportcert", "-rfc", "-alias", "lowkey", "-keystore", keystorePath, pass, "LOWKEY_KEYSTORE_PASSWORD"],
    password,
  );
  if (!pem.includes("BEGIN CERTIFICATE"))
    throw new Error("cannot start Lowkey Vault: keytool did not export a certificate");
  return { keystorePath, password, pem };
}

async function registerVault(managementUrl: string, ca: string, baseUri: string, recoveryLevel: string): Promise<void> {
  const answer = await httpsCall("POST", `${managementUrl}/vault`, ca, { baseUri, recoveryLevel, recoverableDays: 90 });
  if (answer.status !== 200) {
    throw new Error(
      `cannot start Lowkey Vault: creating vault ${baseUri} answered HTTP ${answer.status}: ${tailOf(answer.body, 500)}`,
    );
  }
}

/**
 * Start Lowkey Vault 3.4.33 (`java -jar`) on free ports of 127.0.0.1 with a fresh self-signed
 * certificate, wait until it answers, and register two vaults through its management API: a
 * purgeable one at `https://127.0.0.1:<port>` and a purge-protected one at
 * `https://localhost:<port>`. Lowkey Vault accepts any bearer token. Call it in `beforeAll`
 * and `stop()` it in `afterAll`; the JVM takes a few seconds to start.
 * @throws Error when Java or the jar is missing, Lowkey Vault exits early, or it is not ready in
 * time (always thrown, so under CI the suite fails; outside CI guard the suite with
 * {@link lowkeyVaultUnavailableReason}).
 */
export async function startLowkeyVault(options: StartLowkeyVaultOptions = {}): Promise<LowkeyVault> {
  const problem = javaProblem();
  if (problem !== undefined) throw new Error(`cannot start Lowkey Vault: ${problem}`);
  const jarPath = options.jarPath ?? lowkeyVaultJarPath();
  await ensureJar(jarPath);

  const dir = mkdtempSync(join(tmpdir(), "coffer-lowkey-"));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    const { keystorePath, password, pem } = makeKeystore(dir);
    const caCertPath = join(dir, "lowkey-vault-ca.pem");
    writeFileSync(caCertPath, pem, { mode: 0o600 });

    const port = await freePort();
    // The token endpoint (an extra plain-HTTP connector of Lowkey Vault) cannot be bound to one
    // address; it only hands out fake tokens and is not used by Coffer.
    const tokenPort = await freePort();
    const origin = `https://127.0.0.1:${port}`;
    const managementUrl = `${origin}/management`;
    const started = await startProcess({
      name: "lowkey-vault",
      command: "java",
      args: [
        "-Xmx384m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-jar",
        jarPath,
        `--server.port=${port}`,
        "--server.address=127.0.0.1",
        `--app.token.port=${tokenPort}`,
        "--server.ssl.key-store-type=PKCS12",
        `--server.ssl.key-store=file:${keystorePath}`,
        "--LOWKEY_VAULT_NAMES=-",
        "--LOWKEY_DEBUG_REQUEST_LOG=false",
        "--spring.main.banner-mode=off",
      ],
      // Spring Boot reads server.ssl.key-store-password from this variable (relaxed binding).
      env: { SERVER_SSL_KEYSTOREPASSWORD: password },
      cwd: dir,
      readyCheck: async () => (await httpsCall("GET", `${origin}/ping`, pem)).status === 200,
      timeoutMs: options.timeoutMs ?? 120_000,
    });
    try {
      await registerVault(managementUrl, pem, origin, "Recoverable+Purgeable");
      await registerVault(managementUrl, pem, `https://localhost:${port}`, "Recoverable");
    } catch (err) {
      await started.stop();
      throw err;
    }
    let stopped: Promise<void> | undefined;
    return {
      vaultUrl: origin,
      protectedVaultUrl: `https://localhost:${port}`,
      caCertPath,
      caCertPem: pem,
      managementUrl,
      logs: started.logs,
      stop() {
        stopped ??= started.stop().finally(removeDir);
        return stopped;
      },
    };
  } catch (err) {
    removeDir();
    throw err;
  }
}
