/**
 * @module runtime/make-dir — make a folder (the build's output, the trace file's) one level at a time, failing fast with a
 * message that names the path in the way. Node's `mkdir({ recursive: true })` loops forever where a
 * parent exists but refuses children with ENOENT (`/proc/x`), so it is not used here.
 */
import { constants } from "node:fs";
import { access, mkdir, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** Why an output folder cannot be made; `code` is the errno name (`ENOTDIR`, `EACCES`, `ENOENT`…). */
export class MakeDirError extends Error {
  override readonly name = "MakeDirError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const errnoOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? "EIO";

/**
 * Ensure `path` is a writable folder, creating the missing levels below its nearest existing
 * ancestor, which must itself be a writable folder. Throws `MakeDirError` (message starts with the
 * code) without creating anything when that ancestor is a file or not writable.
 *
 * @example
 * await makeDir("dist/prod/.staging-42"); // creates dist, dist/prod, dist/prod/.staging-42 as needed
 */
export async function makeDir(path: string): Promise<void> {
  const missing: string[] = [];
  let existing = resolve(path);
  for (;;) {
    try {
      const info = await stat(existing);
      if (!info.isDirectory()) throw new MakeDirError("ENOTDIR", `ENOTDIR: ${existing} is a file, not a folder, so ${resolve(path)} cannot be made`);
      break;
    } catch (error) {
      if (error instanceof MakeDirError) throw error;
      // ENOTDIR: a file further up; keep walking to name it.
      if (errnoOf(error) !== "ENOENT" && errnoOf(error) !== "ENOTDIR") throw new MakeDirError(errnoOf(error), `${errnoOf(error)}: cannot look at ${existing}`);
      const parent = dirname(existing);
      // The root always exists; reaching it here means stat failed for another reason.
      if (parent === existing) throw new MakeDirError("ENOENT", `ENOENT: ${existing} does not exist`);
      missing.unshift(existing);
      existing = parent;
    }
  }
  try {
    await access(existing, constants.W_OK);
  } catch (error) {
    throw new MakeDirError(errnoOf(error), `${errnoOf(error)}: ${existing} is not writable`);
  }
  for (const level of missing) {
    try {
      await mkdir(level);
    } catch (error) {
      const code = errnoOf(error);
      // Made meanwhile by someone else: fine when it is a folder.
      if (
        code === "EEXIST" &&
        (await stat(level).then(
          (s) => s.isDirectory(),
          () => false,
        ))
      )
        continue;
      throw new MakeDirError(code, `${code}: cannot create ${level}${code === "ENOENT" ? " (the file system there does not allow new folders)" : ""}`);
    }
  }
}
