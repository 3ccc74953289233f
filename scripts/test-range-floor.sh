#!/usr/bin/env bash
# Tests the FLOOR of the peer ranges the packages declare for @langchain/core and
# @langchain/langgraph (the locked install, which `npm test` uses, is the top of the range).
#
# It installs the oldest versions the ranges accept without saving them (package.json and
# package-lock.json stay as committed), checks that exactly one copy of @langchain/core is
# installed, runs a small subset of the suite, then reinstalls the locked versions.
#
# Usage: [FLOOR_TESTS="paths…"] scripts/test-range-floor.sh [vitest options…]
#   FLOOR_TESTS defaults to "packages/core graphs/refund"; the options go to `vitest run`.
# Set KEEP_FLOOR=1 to leave the floor installed (CI, where nothing runs afterwards).
set -uo pipefail
cd "$(dirname "$0")/.."

# The floor is the lower bound of @governor/core's peer ranges ("^X.Y.Z" → X.Y.Z), so the
# ranges stay the one place the supported versions are written down. The checkpoint library
# comes with LangGraph; its floor is what the oldest LangGraph asks for.
floor_of() {
  node -e '
    const range = require("./packages/core/package.json").peerDependencies[process.argv[1]];
    const m = /^\^(\d+\.\d+\.\d+)$/.exec(range ?? "");
    if (!m) { console.error(`unexpected peer range for ${process.argv[1]}: ${range}`); process.exit(1); }
    console.log(m[1]);
  ' "$1"
}
core="$(floor_of @langchain/core)" || exit 1
langgraph="$(floor_of @langchain/langgraph)" || exit 1
checkpoint="$(npm view "@langchain/langgraph@$langgraph" dependencies --json |
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s)["@langchain/langgraph-checkpoint"].replace(/^[\^~]/,"")))')" || exit 1

restore() {
  if [ "${KEEP_FLOOR:-}" != "1" ]; then
    echo "== restoring the locked versions"
    npm install --no-audit --no-fund >/dev/null || echo "npm install failed: run it by hand"
  fi
}
trap restore EXIT

echo "== installing the floor: @langchain/core@$core @langchain/langgraph@$langgraph @langchain/langgraph-checkpoint@$checkpoint"
# --no-save: the root's overrides refer to its own devDependencies ("$@langchain/core"), so the
# versions named here replace the locked ones everywhere in the tree for this install only.
npm install --no-save --no-audit --no-fund --ignore-scripts \
  "@langchain/core@$core" "@langchain/langgraph@$langgraph" "@langchain/langgraph-checkpoint@$checkpoint" || exit 1

# Two copies of @langchain/core break instanceof checks between packages: refuse to test then.
copies="$(npm ls @langchain/core --all --parseable 2>/dev/null | sort -u | wc -l)"
installed="$(node -p 'require("@langchain/core/package.json").version + " / " + require("@langchain/langgraph/package.json").version')"
echo "== installed @langchain/core / @langchain/langgraph: $installed ($copies cop$([ "$copies" = 1 ] && echo y || echo ies) of core)"
if [ "$copies" != "1" ]; then
  npm ls @langchain/core --all
  echo "more than one @langchain/core installed"
  exit 1
fi

# shellcheck disable=SC2086 # FLOOR_TESTS is a list of paths
npx vitest run ${FLOOR_TESTS:-packages/core graphs/refund} "$@"
