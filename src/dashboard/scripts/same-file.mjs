// Fails when the committed API types differ from the ones the backend's schema gives now.
import { readFileSync } from "node:fs";

const [committed, fresh] = process.argv.slice(2);
if (readFileSync(committed, "utf8") !== readFileSync(fresh, "utf8")) {
  console.error(
    `${committed} is out of date with the backend's OpenAPI schema.\n` +
      "Run `make dashboard-types` and commit the result (then fix what vue-tsc reports).",
  );
  process.exit(1);
}
