import { describe, expect, it } from "vitest";
import { awsRegionName, bedrockBase, configuredEndpoint, upstreamUrlProblem } from "./endpoints.ts";

const where = (env: Record<string, string>, service: "BEDROCK_RUNTIME" | "STS" = "BEDROCK_RUNTIME") => {
  const found = configuredEndpoint(env, service);
  return found === undefined ? undefined : "problem" in found ? found.problem : [found.variable, found.url.href];
};

describe("configuredEndpoint: the AWS SDKs' precedence of endpoint variables", () => {
  it("the service's own variable, else AWS_ENDPOINT_URL, else none; empty ones are unset", () => {
    const both = { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com", AWS_ENDPOINT_URL: "http://127.0.0.1:4566" };
    expect(where(both)).toEqual(["AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/"]);
    expect(where(both, "STS")).toEqual(["AWS_ENDPOINT_URL", "http://127.0.0.1:4566/"]);
    expect(where({ ...both, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "" })).toEqual(["AWS_ENDPOINT_URL", "http://127.0.0.1:4566/"]);
    expect(where({ AWS_ENDPOINT_URL_STS: "http://127.0.0.1:4566/sts/" }, "STS")).toEqual(["AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566/sts/"]);
    // Another service's variable is not ours.
    expect(where({ AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9000", AWS_ENDPOINT_URL_BEDROCK: "http://127.0.0.1:9001" })).toBeUndefined();
    expect(where({})).toBeUndefined();
  });

  it("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores both", () => {
    const env = { AWS_ENDPOINT_URL_STS: "http://127.0.0.1:1", AWS_ENDPOINT_URL: "http://127.0.0.1:2" };
    expect(where({ ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }, "STS")).toBeUndefined();
    expect(where({ ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "TRUE" })).toBeUndefined();
    expect(where({ ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "false" }, "STS")).toEqual(["AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1/"]);
  });

  it("a value a release's URL could not be is refused naming the variable, at most the host, never the value", () => {
    expect(where({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "bedrock.internal:443" })).toBe("AWS_ENDPOINT_URL_BEDROCK_RUNTIME is not an http:// or https:// URL");
    expect(where({ AWS_ENDPOINT_URL: "file:///etc/passwd" }, "STS")).toBe("AWS_ENDPOINT_URL is not an http:// or https:// URL");
    expect(where({ AWS_ENDPOINT_URL: "http://exa mple.com" })).toBe("AWS_ENDPOINT_URL is not a valid URL");
    const metadata = where({ AWS_ENDPOINT_URL_STS: "http://user:sekrit-Token-123@169.254.169.254/latest/" }, "STS");
    expect(metadata).toBe("AWS_ENDPOINT_URL_STS names 169.254.169.254, which is link-local or cloud metadata");
    expect(where({ AWS_ENDPOINT_URL: "http://metadata.google.internal/" })).toBe(
      "AWS_ENDPOINT_URL names metadata.google.internal, which is link-local or cloud metadata",
    );
    expect(where({ AWS_ENDPOINT_URL: "http://[fe80::1]/" })).toContain("link-local");
    // The service's own variable decides, even refused: a bad one does not fall through to AWS_ENDPOINT_URL.
    expect(where({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "nope", AWS_ENDPOINT_URL: "http://127.0.0.1:4566" })).toBe(
      "AWS_ENDPOINT_URL_BEDROCK_RUNTIME is not an http:// or https:// URL",
    );
  });

  it("upstreamUrlProblem: the release's rules (http(s), no link-local or metadata host)", () => {
    expect(upstreamUrlProblem("https://bedrock-runtime.us-east-1.amazonaws.com")).toBeUndefined();
    expect(upstreamUrlProblem("http://127.0.0.1:4566/prefix")).toBeUndefined();
    expect(upstreamUrlProblem("http://0xa9fea9fe/")).toContain("169.254.169.254");
    expect(upstreamUrlProblem("HTTPS://example.com")).toBe("is not an http:// or https:// URL");
  });
});

describe("bedrockBase: the release's baseUrl, else the environment's, else the region's", () => {
  it("an explicit baseUrl wins over the environment", () => {
    const env = { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "http://127.0.0.1:1", AWS_ENDPOINT_URL: "http://127.0.0.1:2" };
    expect(bedrockBase("https://vpce-9.bedrock-runtime.eu-west-1.vpce.amazonaws.com/", env, "eu-west-1")).toEqual({
      base: "https://vpce-9.bedrock-runtime.eu-west-1.vpce.amazonaws.com",
    });
    // Even over a value the environment would be refused for: it is not read.
    expect(bedrockBase("http://127.0.0.1:3", { AWS_ENDPOINT_URL: "nope" }, "eu-west-1")).toEqual({ base: "http://127.0.0.1:3" });
    expect(bedrockBase(undefined, env, "eu-west-1")).toEqual({ base: "http://127.0.0.1:1" });
    expect(bedrockBase(undefined, { AWS_ENDPOINT_URL: "http://127.0.0.1:2/prefix/" }, "eu-west-1")).toEqual({ base: "http://127.0.0.1:2/prefix" });
    expect(bedrockBase(undefined, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }, "eu-west-1")).toEqual({
      base: "https://bedrock-runtime.eu-west-1.amazonaws.com",
    });
    expect(bedrockBase(undefined, {}, "us-gov-west-1")).toEqual({ base: "https://bedrock-runtime.us-gov-west-1.amazonaws.com" });
    // China's regions are under amazonaws.com.cn.
    expect(bedrockBase(undefined, {}, "cn-northwest-1")).toEqual({ base: "https://bedrock-runtime.cn-northwest-1.amazonaws.com.cn" });
    expect(bedrockBase(undefined, { AWS_ENDPOINT_URL: "http://169.254.170.2/" }, "eu-west-1")).toEqual({
      problem: "AWS_ENDPOINT_URL names 169.254.170.2, which is link-local or cloud metadata",
    });
  });

  it("a region that is no host label cannot move the default endpoint's host", () => {
    for (const region of ["x@169.254.169.254:80/", "evil.example/#", "us-east-1.evil.example", "", "-us-east-1", "a".repeat(64)]) {
      expect(awsRegionName(region)).toBe(false);
      expect(bedrockBase(undefined, {}, region)).toEqual({
        problem: "the provider's `region` is not an AWS region name (a host label: letters, digits, hyphens)",
      });
    }
    for (const region of ["us-east-1", "eu-central-2", "cn-north-1", "us-isob-east-1", "ap-southeast-7"]) expect(awsRegionName(region)).toBe(true);
  });
});
