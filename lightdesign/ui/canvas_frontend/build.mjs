// Bundles src/ into ../../../static/lightdesign-canvas.js (an ES module with a default export, as Streamlit's
// components v2 expect) and built/canvas.css is inlined into it. Run by .ci/run when the
// sources changed; the built file is committed so that the app needs no Node.
import { build } from "esbuild";

await build({
  entryPoints: ["src/index.jsx"],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  outfile: "../../../static/lightdesign-canvas.js",
  loader: { ".css": "text" },
  jsx: "automatic",
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  logLevel: "warning",
});
