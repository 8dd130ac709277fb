// Bundles src/ into ../../../static/lightdesign-canvas.js (an ES module with a default export, as Streamlit's
// components v2 expect) and built/canvas.css is inlined into it. Run by .ci/run when the
// sources changed; the built file is committed so that the app needs no Node.
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { build } from "esbuild";

const outfile = "../../../static/lightdesign-canvas.js";

const result = await build({
  entryPoints: ["src/index.jsx"],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  outfile,
  loader: { ".css": "text" },
  jsx: "automatic",
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "eof", // the notices the libraries keep in their code (React's), at the end of the bundle
  metafile: true,
  logLevel: "warning",
});

// Most libraries keep no notice in their code, so each bundled package's licence file follows:
// a package without one stops the build.
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const found = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (found) packages.add(found[1]);
}
const notices = [...packages].sort().map((name) => {
  const folder = join("node_modules", name);
  const { version, license } = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"));
  const file = readdirSync(folder).find((f) => /^licen[cs]e/i.test(f));
  if (!file) throw new Error(`${name} ${version} has no licence file to keep in the bundle`);
  return `${name} ${version} (${license}):\n\n${readFileSync(join(folder, file), "utf8").trim()}`;
});
const text = notices.join("\n\n---\n\n").replaceAll("*/", "* /");
appendFileSync(outfile, `/*! Licences of the bundled packages:\n\n${text}\n*/\n`);
