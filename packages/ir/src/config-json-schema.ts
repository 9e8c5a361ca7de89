/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (11591 bytes of JSON, 1634 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G0YtIBwHdkz4BzYr4eGYlfu9ym+BLu1e+F55fIUJlI34FN+f+v60a09rU51anbpsLs9gW+KASEzyf7PodPW9WtbqhfwnO5TCIhTGI+x19/QUu7ektKcIKfaEniGEoEJIMmiDMG8Mxs8fwqGSMSCM4zUmjTESWSIg1f3sI0jvUUD6EgI421FHhIzwAmprAjPARzV/KqVLAFbeENsHDB8+S+Gjv7vGa4f3b4dh09n9l5tHSg7rHP8FZEhgX+pUJ7DQBdqBKMYQULeqqKzICM079J4vKq6BtgU7/7aB1Jnq0AThQMBiQ9YUeoJZ+5G2BB0XvOQJe+cfZ1h9vI3x8BmxfcQUrtDwI8XT8qb+vOs8HPg1b8/xfwlUCcgwkI5pbMLR0GkGipheWNES+ACWduep3qp/MKBaSxqDwU57c5AjddEYsvtxHXPTnq1RCWq5rZvGgO2AYsKzwo0XUi2lYkzVzNtNMV5t59aY4EUUfxzNy+zMjzlLNn3t8/lQZYQA8xWUTAbtS7hxo+3o6GWKTk+LvGqTGaPPkiYme2XMLPGRKFF2ENGogg88WQgxOBwpaoGhke9Lxo+Nc1YEYFbTjhozBYYVwc6BR7/RpIYf9fo9HcwvJyickZVswmk5kcob+DdWq7X06h51zuCU5hscBPR0oo3S4Iq7yfG4jMAl+TSBQ8ro2eDs1TVUKRaYHJjnoeDYoDCLrl+3zxPG+N/11cdcZ2e8b06/nFRDKja7z7M3+wandG59KXnack/yxtE7b02W/cXl+qi5VafxNL3tzRv320XOZvNZfm6917/QqfPmdLsoZrs7uj50+XCY/3ulD5v6TlfnzQfqOXrB2lvHW5Qt0E9tCdzFaCGhL9gj8HrXEsTyHbmdtDn5svAjzlsqJwZ8fvhNO3eInFC+wotNPZbum1MKWWetRTFGQQx6HnCOnrrMUtvlH5MFN1Ja+mVzkAspn4uK+PXwspJCwUbQCOmtpFe8hBZD1gqMw7Jo1SR4e8ARTGz+FKpNVR4wPn3xtd9aGg0f9SvGjP3oGlU6a+f5teUja7Iwh19IiwVjJWXiXrImLRvnPaKBUDzLblotU444gfccC78Rh20/SfOyIbyHcDna/nJUUraYfNpLMFWzeeE2IjyoUsRI52s5dJWn/Evvp4FannCZPodp1xtgb7cQWJih1QjyKWRNQD9urHofBJH/WT3yAPfoSgvDb1gto5BmBzl/bzq94WuleDCPhLvknfAbES0xsmR0/wtSLJFmugSmxhO841qUQpLMHExbSS0k0Qqg8o++FtgO25AkQ2zVaTbneaNNQqsCweTI9nFulLztYA5Ah2n2zrtrCf1ldMEP5WTijr5I497KpnHnjBUWuraFsYdMfJCu8JMFxk2LpmKpqKwtM4Rx0o+Df0LPwrlFAbjG4wtL0M7xz+dARinpAwegEJdPiphXzL8xruXWHF72nE6ZmsSfb8v9Ufog2DbC3ffTPeKe6nDbyEkmkqMLO9Yn7X1OkB32E/VG7egMHtklSSDN2qTCY1KA8ow5CVfrG1VlQfOydtam8MiBDqfq0dkLSgmrUkJ+1Klh2imTLAIPajHUeJwIMlXQ7UP56alUmTO5BBqeHb7WpKt7bpOyK4snyfNgfkbbUNgJap1IVIaXHAsJz1s6K5LPDu76PNdvCTxfXO+IpjgjfzmP0z8KlLP5wVRmoKT8BtbiVgLsEsU5I2t07ciBE5XNgVOTNcsJRbdsBovRqrcmWN/RnJKS3xnwuprIBKLIYGg7VtorquNQMvpm5jSvCJ00A0IfyvBVbw99LKSRxyqt1X2uQck0WqGMRmu1JxZ8g9oVEatEqy+eIG8e1PFsQ6DeW3JTQVNuzESccSm3fScxScefXVo49s9PcdbMCevmh7kXroBKGWK5WPhBaJNRt44Jc6oQfYjjnpRyCm1A3AthHZSFJfJaj6IZPkRcIkZQlSy8RbUpsaWFuAKxdNVH331lPqaQDuhMoFZ4nLbJzw5j/jDZywWrE0LMHnolPRIZFdtoxlZPxK/yB92gOm77B13zpLi+pshDZoty/sm3xd8GirEh00rVuCPwfp8MFwpd1LBvSBonnW47xWnqCOXQ7XYngcqLFA1H+1VYcF2vnYIY8K59Xj4sHWKbg6ivq6SpDVmw7ClKduqGbRkdF4FYb5gDZun1sqelQgY=";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
