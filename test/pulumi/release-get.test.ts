/** @module `Release.get` under Pulumi mocks: the read carries the router URL as the id and the admin token as a secret input (the provider's Read side is in provider-lifecycle.test.ts). */
import type * as pulumi from "@pulumi/pulumi";
import { Release } from "@switchyard/pulumi";
import { describe, expect, it } from "vitest";
import { isSecretValue } from "./harness.ts";
import { runWithMocks, settle } from "./mocks.ts";

describe("Release.get", () => {
  it("reads by the router URL with the token given to get, kept secret", async () => {
    const reads: pulumi.runtime.MockResourceArgs[] = [];
    const run = await runWithMocks(
      () => {
        const live = Release.get("live", "http://router.internal:8787", { adminToken: "admin-token-get-9" });
        return { live, token: live.adminToken, hash: live.activeHash };
      },
      {
        project: "acme-routing",
        stack: "dev",
        computed: (args) => {
          reads.push(args);
          return { activeHash: "a".repeat(64) };
        },
      },
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]?.id).toBe("http://router.internal:8787");
    expect(reads[0]?.type).toBe("switchyard:index:Release");
    // The engine hands these inputs to the provider's Read as its properties.
    const token = reads[0]?.inputs["adminToken"];
    expect(isSecretValue(token) || token === "admin-token-get-9").toBe(true);
    expect(await settle(run.result.token)).toEqual({ value: "admin-token-get-9", secret: true });
    expect((await settle(run.result.hash)).value).toBe("a".repeat(64));
  });
});
