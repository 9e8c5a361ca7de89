/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (14523 bytes of JSON, 1834 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G7o4AJwHti1868NS0XhfhgpZOWzK70O/wF76PX08wqTQHcJ8i/n6qtN+u1ubnDK1OnVIvK/PiAT4QDARnbhZdLr6Vkue/99+/1s/0sQbKVEJidIJ9c0+9wy8+x6mOnZmvogkRDRJC5RKKD/G+4XQrREShNJ4jFl7dWmAbKn+Vx2B+xYEqHsBOjoLHZEd4vVodeqnhg9r/likS9CveUd0r8kI8VmEH/1NE4fvP4/CqbO7TzePlBzWGR4FeJi9fWljViiKC9gDMIZgkM+yqKTQGKxX+z1hRGRT7Obd+tejjoo6rFElA0RjdWt5C6i23QPkYTgBO9asGbBh8ot3bQlGfChfvGBm/VMNB++3Y9x/AyYP2PIrhp2YUkq3/OdD6enaz3lzhsclYDOFYtZVo0ZCSEqpnWLS+AMZPDrvIDrfLag3Gz8oUF5Tkk/vVrfUrEfxIvnS+3g1enLW6RyA0e/zyTJKr6hCw46ZZAlsJ+SMxUYs8aZnHm/pPlPPGxF/nymHVZlfVi9Z96X35+vQfRfKlqlySq/u8beuakM6splgq20ibzYms0cYXz/DQffnqeg0FjZTFM8uNmGquqhkYm3jIuEmiDjUtJCdACAvWZVj+8GOWBlL9b/76J9z6V3DBcMH+s6QZ4vxRNCX7mGyxiVVzqYmKQTKRksFPTPofh7TFr0Jb5gNF9ChCVP2Bf9CSCc4GZGkNNvAsNuIpiSKPfNC26N2O+Kdk+cJaUZDKKDKy4K7GCxpq3ZCXPLe+gD8uk8DEptzK8Gk2QcxtNsq8gKfBiFJkFE3Xr1sv80b4+/Crz7mOjvjY/W0dEENqdjsPq867Wu06ly9N3la9VLy2tE7b232/IvLbSTnaqXWS/V+ybyhxRudzfYr/Vz9sv+hU+f16X5jzPbQsD5V+FTHr1DWpxN9p6vz+gvkC6GE9N5yuc0mcPY3A3zu4FGCQ70FEDocBvzuP5LvTutTQKB+h6YUeYIqcFKLNtcNw08MsBEKxJbhu+aUQmZarckyZWQoGxZ0i1Ed1JJq8T9RZPqdaWH21KwvhrkLKuMv6DApLhSxebWQXDs7x5fg4q6lI8axbTBvUoeXMAGKhOcJvin3JwT5z370M/rEABK/I/Ael257OLLRT88u79la5JofOFw8MnqosuQBqZPNEpI8Cu6FkgLsjuZqc4yzoK+OvMjIffUQFo+oHInKOQQrYI7fij1OLvZFpzJzXnAl4ZeqGNFkV8ODfPO8ifH9Q8WXza72c5QuvQGudgdA5EobAUhKkTpRDDK8tizhIvm95Y9EwG5xcTtxa1ZNKSBtQefenIxx+FY4PkjGIcxs9jdjtMvIkhb/L0ixRJrpEoSFlA6btFBVmcbsiORCdFUmsgBo/taPTuWhW9LQgK5C1uZkebBO2GzKkUmRMuUEM7nb/tyDCNTkW68czYrswQW/FSdn2fDCjTdXbCTPd+54wNnND76azvAi5n/RvXHbQqOxW02P5mriswkE4Z+wFRWfYQAmylxxCRQdL+gCGabEixwUipiDKoRhyf4XdCm5Vsth9/OYSVwsuCnv79I7xroVjoEQ7xm7+6v7qp6pIzq86ugEUTe/OutRDyJtjhrSaVDSDyX6zCZ4BS6ToC+X0JkdC61Iuc8K95nPpg0PlHQ13ymcx0EqWpYTcsNOLePaTFIJLNWGrLGgGHiKutdPxc9PxUqdmfPIfvPwrYrt3stikvo0U/REmJvSOha2olorFDXjSw6GrFhDeysmoS3g5YmuXxKlXg11z8k5Y3/ik/M/ApiTOcJUqyFEfRhHT1MBemqk03SWzhM+6mxvq+H8btUlhYKbVleVsdmWaIMimepTXNJ7A05fE1QglDIQecvyeY2h1hwMNpLe6kxUy0Uv+CKMX+UK0UlDiB7ztJT5uZAnkbiqWiSp2p7f+YdoWIxgJZh/UWW0FVAMdQbAlkWVZ2VIBQ6aQBobdb3xKDqp6e7TqgMo/RDPZnhhFX9a8yJVoQljLBsMdx/SbNSNs7DmCuFENLlw5SLGCuALQjtVWxevDsNJS0BuQkbdCml4gxal0WUzNVXZxavTmvAVRGXViArRCHyFg90tfPYY08fJTjJopjDG2YGwiZAJjYwnYbLFlviF/uVmNSv2+o0eXjjX1RZEZLoIDVC6Vf420EOCqVYqaR6Dj1c4U+648OG4MdSwOpV5ntjYIUo923nd7fpFK6+DHStUredHddww9/mSmPcPD9HNgtS1LSEvg8a/pNoizOWq+9DMaY/kWNvRBbfhoFJ5mhuZ6tB7FCBay+roYxVfhhV0ABjuVXzD+yYUYuhq/7xv4c8HUf6Id+DwXm5SLL1RFkcCSfkb+/NIaWPuhxEnD/GR+yUIa++jfyyg+uWiU5RnVCbgkv0d8RwRK7nUn4WYtwmFU7sUInBc/Zh7CTr2BLR21tO7e3DVsE6f8gyLmSaly4VUBw==";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
