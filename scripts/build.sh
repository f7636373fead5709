#!/usr/bin/env bash
# Builds the npm package into dist/: wasm-pack for the web, nodejs and bundler targets,
# wasm-opt -Oz on each .wasm, then pkg-template/ and js/ around them.
# wasm-pack runs with --mode no-install: it uses the wasm-bindgen on PATH (installed by
# scripts/setup.sh at the version in Cargo.lock) and never downloads one; its own wasm-opt
# step is off in Cargo.toml because it would download binaryen — we run npm binaryen's.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=dist
CACHE=.cache/pkg
WASM_OPT=node_modules/.bin/wasm-opt
[ -x "$WASM_OPT" ] || WASM_OPT=$(command -v wasm-opt || true)
[ -n "$WASM_OPT" ] || { echo "wasm-opt not found: run npm ci (npm binaryen) or apt-get install binaryen" >&2; exit 1; }
# The features rustc's wasm32 target emits by default.
FEATURES="--enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int --enable-mutable-globals --enable-reference-types --enable-multivalue"

rm -rf "$OUT"
mkdir -p "$OUT"
for target in web nodejs bundler; do
  dir="$CACHE-$target"
  wasm-pack --log-level warn build --release --mode no-install --no-pack --target "$target" --out-dir "$dir" --out-name x402_vara_wasm
  "$WASM_OPT" -Oz --strip-debug --strip-producers $FEATURES "$dir/x402_vara_wasm_bg.wasm" -o "$dir/x402_vara_wasm_bg.wasm"
  case $target in nodejs) name=node ;; *) name=$target ;; esac
  mkdir -p "$OUT/$name"
  cp "$dir"/x402_vara_wasm* "$OUT/$name/"
done

# Node: the CommonJS glue plus an ESM entry re-exporting it by name.
echo '{ "type": "commonjs" }' > "$OUT/node/package.json"
node -e '
  const names = Object.keys(require("./dist/node/x402_vara_wasm.js")).filter((n) => !n.startsWith("__"));
  const lines = ["// ESM entry for Node: the wasm is loaded once, by the CommonJS glue.",
    "import { createRequire } from \"node:module\";",
    "const wasm = createRequire(import.meta.url)(\"./x402_vara_wasm.js\");",
    `export const { ${names.join(", ")} } = wasm;`, "export default wasm;", ""];
  require("fs").writeFileSync("dist/node/index.mjs", lines.join("\n"));
'
cp pkg-template/web-entry.js "$OUT/web/index.js"
cp pkg-template/package.json pkg-template/README.md "$OUT/"
# One declaration file for every entry: the generated one (identical across targets but
# for the web target's init functions) followed by the hand-written shim types.
# `[Symbol.dispose]` needs TypeScript's esnext.disposable lib; keep the declarations usable
# with any lib setting (the method still exists at run time).
for f in "$OUT"/*/x402_vara_wasm.d.ts; do sed -i '/\[Symbol.dispose\]/d' "$f"; done
cat "$OUT/node/x402_vara_wasm.d.ts" > "$OUT/index.d.ts"
mkdir -p "$OUT/js"
cp js/*.js js/*.d.ts "$OUT/js/"
rm -f "$OUT"/*/.gitignore
echo "built $OUT/ ($(du -sk "$OUT" | cut -f1) KiB)"
