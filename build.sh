#!/usr/bin/env bash
# SequenceKit's one entry point for building, testing and packaging.
#   ./build.sh sample          run the main sample (src/Samples/StuckAccuracy); charts in artifacts/stuck-accuracy
#   ./build.sh test            run the test suite (what CI runs); results in artifacts/test-results/*.trx
#   ./build.sh pack            build the NuGet packages (SequenceKit, SequenceKit.PyTorch; .snupkg) into artifacts/packages
#   ./build.sh verify-package  pack, check the packages, compile every C# block of README.md and docs/ against them, run the README's program
#   ./build.sh bench [args]    the BenchmarkDotNet suite (default: every benchmark, ShortRun); args go to BenchmarkDotNet
#   ./build.sh bench-quick     every benchmark once (--job dry): proves the suite builds and runs (CI runs this)
#   ./build.sh setup           only the native prerequisite check/installation
# Extra arguments go to dotnet, e.g. ./build.sh test -p:TorchBackend=cuda
set -euo pipefail
cd "$(dirname "$0")"
command=${1:-}
[ $# -gt 0 ] && shift

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

case "$command" in
  setup)
    bash build/setup-native.sh ;;
  sample)
    bash build/setup-native.sh
    dotnet run --project src/Samples/StuckAccuracy -c Release -- --output artifacts/stuck-accuracy "$@" ;;
  test)
    bash build/setup-native.sh
    # Debian 12's own libstdc++ lets one integration test prove the load-failure message; best effort.
    if old=$(bash build/fetch-old-libstdcxx.sh artifacts/old-libstdcxx 2>/dev/null); then
      export SEQUENCEKIT_TEST_OLD_LIBSTDCXX_DIR=$old
    fi
    rm -rf artifacts/test-results
    dotnet test SequenceKit.sln -c Release --logger "trx" --logger "console;verbosity=normal" \
      --results-directory artifacts/test-results "$@" ;;
  bench)
    bash build/setup-native.sh
    if [ $# -eq 0 ]; then set -- --filter '*' --job short; fi
    dotnet run -c Release --project benchmarks/SequenceKit.Benchmarks -- "$@" ;;
  bench-quick)
    bash build/setup-native.sh
    log=$(mktemp)
    dotnet run -c Release --project benchmarks/SequenceKit.Benchmarks -- --filter '*' --job dry --artifacts artifacts/benchmarks-dry | tee "$log"
    if grep -qE '\[ERROR\]|Exception:|Benchmarks with issues' "$log"; then echo "bench-quick: a benchmark failed" >&2; exit 1; fi
    grep -q 'executed benchmarks:' "$log" || { echo "bench-quick: no benchmark ran" >&2; exit 1; } ;;
  pack)
    # Packages are always built as in CI: deterministic, with no path of this machine in the DLLs or PDBs.
    for project in SequenceKit SequenceKit.PyTorch; do
      dotnet pack "src/$project" -c Release -o artifacts/packages -p:ContinuousIntegrationBuild=true "$@"
    done ;;
  verify-package)
    bash build/setup-native.sh
    bash build/verify-package.sh ;;
  *)
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$command" ] || { echo "unknown command: $command" >&2; exit 2; } ;;
esac
