/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 * Stored brotli-compressed (11915 bytes of JSON, 1708 brotli) and unpacked on first use.
 */
import { brotliDecompressSync } from "node:zlib";

/** The schema, brotli-compressed, base64. */
export const CONFIG_JSON_SCHEMA_BROTLI_BASE64 =
  "G4ouIBwH1W0W8x+uLk1cKjMPkZXDpvw+9Avspd/TxyNMCt0hzLeYqZZVv/2nVMUq2rnK0HF1ogKgAUH7+PY3i05XX793b7/zJb47lMIiFMYj7M6dTGDfLq3WSfImoZSiSmmyOIGxHPyX8v3FmOYQDmEc/n6v9fvK1K+yJSrgFQGZ5OyUI1ifh0D0JYB6tkNHZCd4Jtqaq+mTvZo/FekSVKv/s9j7nBw+i/Czv7n27Q4/Pu2HQ2d3v9w8UnJYZ3gTsKEr+1JnNlMUF6ADJNZhoGpZUUWJUcg79INcTFIjtCUb/2rUuqAOW6mSAaIxuK15A1hsMwHktToBWy5ZM6Bjwsh3gy1BJ4VffWYs+J0aVl9vx7h/BiOPuOYn7klnTFrFVn2eW9cDP+fNGd6WAGXEoavpmCZBDJRWMcJo/n6s3TkfINre96iX6h0CaK8kD89ko/OWrDvx4uHl3+J1zA1YW7MCajlVDTGkVijP8OxMQwmoMwJjrBF9vBRn8LZOTjvPRvxysOymZD6mLtn0tff7oepUA01llE2ZVD3pwl0txzs2MzR6WuTf2cnsgrk3jTeo/irlnOZiZpDiFkOJCDUmJM10yIoFTBjh0NJGNIE++caUHItfc40BV1vLmvf+2b5533DB2IG6U8M5wJ2J+NYJM1ZP0uQy0xQlgKZo6zh383kaYn5CP44XrOH7vGfCklXBvDCKCTZGpkHq6r/hVqMkj8SL86DFkbqd8X8U8syzcGEcn2RkwVqsPdCmbEW2bLxdBjDrPg1IXJ0bCSbFfg1Vy1TFRuDzICQJ4nT21cv2ecQYf7t+8zHX2Rkv3dM3R9WQis3u85TDvsEpnVtfSp623JO8dvTOW5Fl/+JybVTcqlV4vJ7Gzb/83dnOZvHJfm691//QqfP6dJods52PrtcOr4f5n7f1uqnvdHVePzC84ElYT4HFrUvA1p8LMLlrdxLs6XkAz2EtYCyfsenOm7M/QF9CUZoMQfKb6Dtzl47eJ/pXeQK5h/B9c0ohY9YrMqeLlK6RcR7gNCIsqxL/G0Wm/9cTzLIl60Mvn4tK99vrK8oKO2xJJWRXztHuZbKkZmuHiWtbG5pc3x5MgFnC8ARs2uUKH3/J3k8tNmaSHjNq4Hf3ohMgXbTx8mj5yLZGXvIre0s6xveUix2wNpkrIbGj2pVwTECs0UqnHHUQ9KmRv6NCXxcJc0coREIhh9r6V9y3ZndTDL2o0zabN1xHpAdVDmfyfMN9fH3YxPzmIcHyhOv02U+n3gBnux0g8kKrAdgnPbggfNxY63tvkc3e9icZ4F1xeeuIK1YvKPAcEBdvzYYb+WfsHsTi4GWe8JcuWmJkiYr/F6RYIs10CcJC5vqOa3FKgUa3Q3IjtxSIbACXf/S1UHf4gtwzEKsR2RIrr60SFpiyY7JHTCW+zNZ2MvRgo7R44529RZFluOCL5oQsj75Yk9aazePOzi13ONrS1NNqRpKv9N1XJkUbzcVSNd1bqsmPEoyDf8JGVLx5AVgni7kl0HPy9TmQXkp+x4E4xBJUI+YV96ugW6U1VXbvPs8Zw8XXt+XDVXpn2BfCLhDy3fBufzp19UAd2cmlnRNkbX1q1p0eZGqNy/FRUMr3JKp067sGi8lQVWzM6XqNk0i7LApf1u7aFF5zoNPhjmz6ApFoW0goTjoXzDtlskaQQa2GmowTxaapdn9tfngqV+RMLyOnZ4dvNdv2g+xnk1RWmbLHweKC9q5w4NQGnqh2L8UX0q6GMla0nAPa7XGu3xJl+bjeiQ04A3/dU8I/BpKL2cGcqmHk/AbWklYC/MrIOdMRXSV26GBvU+Hwbt3FhGqX7A4aY671UQQ5Mt1bVsobA1FTE0JgjhyFvmGjvkIijBVfN9PXZSHq5EUleBjdV7s+jIoQI08gbcW+5PEUGq2UimTV2iML/xDlmuGr1IYvkozmA3KhtgFY32tyl4XUYJ8Jkgk5921nUUnH7yYt7T/pp7hrYYR1/DrtISWhGV2skIp4FdZg1K1z5hIqhA1x3DMoxzAG0N4Q0VFqXb40jKgoQbgmjGs1ivAWLeZVLHOpKckuX5rWD18+lEtGJD4zwAr7uhv9YjCWd5OjUvCYUN0c4Vfzo4mxQRIztnkifpV/2Q1m07Z/0NVn4MaKQoYiFuP8U26LqZDT25hIK2c0D8DLPs6UCy4w7Bk9jUmn0w4Tm9tDOXR72klg+lUTr2vbVUhar/bSuDHbV31cPt07LLaA0FhTWUMbOuk7ktgd5F777D1JAvHWsDjM2urlHxvNFA==";

let unpacked: Readonly<Record<string, unknown>> | undefined;

/** The JSON Schema (draft 2020-12) of a compiled config; unpacked once, then shared (do not mutate). */
export function configJsonSchema(): Readonly<Record<string, unknown>> {
  unpacked ??= JSON.parse(brotliDecompressSync(Buffer.from(CONFIG_JSON_SCHEMA_BROTLI_BASE64, "base64")).toString("utf8")) as Record<string, unknown>;
  return unpacked;
}
