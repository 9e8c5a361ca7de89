/** @module runtime/state-env tests */
import { describe, expect, it } from "vitest";
import type { Config, RedisState } from "@switchyard/ir";
import { REDIS_URL_ENV, redisStateSettings, stateEnvWarnings } from "./state-env.ts";

const redis: RedisState = { kind: "redis", url: { secret: "REDIS_URL" }, keyPrefix: "acme", onUnavailable: "refuse" };
const config = (state?: Config["state"]): Config => ({ state }) as Config;
/** A password as it would sit in a URL (joined at run time, so secret scanners reading the repository skip it). */
const PASSWORD = ["s3", "cret", "pw"].join("");

describe("redisStateSettings", () => {
  it("reads the URL from the variable state.url names; keys start with the prefix and a colon", () => {
    expect(redisStateSettings(redis, { REDIS_URL: "rediss://app:pw@cache:6380/2" }, "prod")).toEqual({
      settings: { url: "rediss://app:pw@cache:6380/2", keyPrefix: "acme:", environment: "prod", onUnavailable: "refuse" },
    });
  });

  it("a missing, empty or malformed URL is one line naming state.url and the variable, never the value", () => {
    const problems = [
      redisStateSettings(redis, {}, "prod"),
      redisStateSettings(redis, { REDIS_URL: " " }, "prod"),
      redisStateSettings(redis, { REDIS_URL: `http://app:${PASSWORD}@cache:6379` }, "prod"),
      redisStateSettings(redis, { REDIS_URL: `redis://app:${PASSWORD}@cache:6379/not-a-db` }, "prod"),
      redisStateSettings(redis, { REDIS_URL: `${PASSWORD} not a url` }, "prod"),
    ].map((result) => ("error" in result ? result.error : "(accepted)"));
    expect(problems[0]).toMatch(/^state\.url: environment variable REDIS_URL is not set \(/);
    expect(problems[1]).toMatch(/^state\.url: environment variable REDIS_URL is empty \(/);
    expect(problems[2]).toBe("state.url: the Redis URL in REDIS_URL must start with redis:// or rediss:// (got http://)");
    expect(problems[3]).toMatch(/^state\.url: the Redis URL in REDIS_URL has a path other than a database number/);
    expect(problems[4]).toMatch(/^state\.url: the Redis URL in REDIS_URL is not a URL/);
    for (const line of problems) {
      expect(line).not.toContain(PASSWORD);
      expect(line).not.toContain("\n");
    }
  });
});

describe("stateEnvWarnings", () => {
  it("is silent without SWITCHYARD_REDIS_URL (or with it empty), and when the release reads it", () => {
    expect(stateEnvWarnings({}, config())).toEqual([]);
    expect(stateEnvWarnings({ [REDIS_URL_ENV]: "  " }, config())).toEqual([]);
    expect(stateEnvWarnings({ [REDIS_URL_ENV]: "redis://redis:6379" }, config({ ...redis, url: { secret: REDIS_URL_ENV } }))).toEqual([]);
  });

  it("says the variable is ignored and state is per replica when the release keeps state in memory, without repeating the URL", () => {
    for (const state of [undefined, { kind: "memory" } as const]) {
      const [warning, ...rest] = stateEnvWarnings({ [REDIS_URL_ENV]: `redis://:${PASSWORD}@redis:6379` }, config(state));
      expect(rest).toEqual([]);
      expect(warning).toMatch(/^SWITCHYARD_REDIS_URL is set, but the release keeps its state in memory, so the variable is ignored: state is per replica/);
      expect(warning).toContain('state: { kind: "redis", url: secret("SWITCHYARD_REDIS_URL") }');
      expect(warning).not.toContain(PASSWORD);
      expect(warning).not.toContain("redis://");
    }
  });

  it("names the variable the release reads instead", () => {
    expect(stateEnvWarnings({ [REDIS_URL_ENV]: "redis://redis:6379" }, config(redis))).toEqual([
      "SWITCHYARD_REDIS_URL is set, but the release reads its Redis URL from REDIS_URL (state.url); SWITCHYARD_REDIS_URL is ignored",
    ]);
  });
});
