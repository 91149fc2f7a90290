#!/usr/bin/env bash
# End-to-end benchmark (issue 11): raw OkHttp (plaintext, mTLS), InMesh, and an nginx sidecar pair, side by side.
#
#   mesh-benchmarks/run-e2e.sh            full matrix: 200/1000/2000 rps x 1 KiB and 1000 rps x 16 KiB, 3 runs (~23 min)
#   mesh-benchmarks/run-e2e.sh --quick    one short run of the 1000 rps x 1 KiB row and max throughput (~2.5 min)
#   mesh-benchmarks/run-e2e.sh --smoke    seconds per variant: checks that every variant works, figures mean little
#
#   mesh-benchmarks/run-e2e.sh --report DIR   rewrite DIR/e2e-results.md and .json from DIR/e2e-details.json
#
# Other options are passed on: --runs N, --warmup SECONDS, --variants raw-mtls,inmesh, --jfr (JFR recordings of raw-mtls and inmesh
# in mesh-benchmarks/target), --nmt (native memory and live-heap histograms), --out DIR, --no-build (use the jar already
# built).
# Prints a markdown table; writes mesh-benchmarks/target/e2e-results.json (the issue's shape), e2e-details.json and
# e2e-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--report" ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "run-e2e.sh: nginx is not installed; the sidecar variant needs it (Debian: apt-get install -y nginx," >&2
  echo "            then 'service nginx stop' if the package started its own server)" >&2
  exit 1
fi
export PATH="$PATH:/usr/sbin"

build=1
args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    *) args+=("$a") ;;
  esac
done

jar=mesh-benchmarks/target/benchmarks.jar
if [ "$build" = 1 ]; then
  mvn_cmd=(mvn -q -B -DskipTests -pl mesh-benchmarks -am package)
  if [ -e /tmp/inmesh-mvn.lock ]; then
    flock /tmp/inmesh-mvn.lock "${mvn_cmd[@]}"
  else
    "${mvn_cmd[@]}"
  fi
fi
[ -f "$jar" ] || { echo "run-e2e.sh: $jar is missing (build failed?)" >&2; exit 1; }

pin=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
  pin=(taskset -c 0) # the orchestrator mostly waits; it stays off the system under test's core
fi
exec "${pin[@]}" java -Xmx256m -cp "$jar" io.inmesh.benchmarks.e2e.E2eRun "${args[@]}"
