#!/usr/bin/env bash
# SequenceKit's one entry point for building, testing and packaging.
#   ./build.sh sample          run the main sample (src/Samples/StuckAccuracy); charts in artifacts/stuck-accuracy
#   ./build.sh test            run the test suite (what CI runs); results in artifacts/test-results/*.trx
#   ./build.sh pack            build the NuGet package into artifacts/packages
#   ./build.sh verify-package  pack, then build and run the README's C# snippet in an outside console app
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
  pack)
    dotnet pack src/SequenceKit -c Release -o artifacts/packages "$@" ;;
  verify-package)
    bash build/setup-native.sh
    bash build/verify-package.sh ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "$command" ] || { echo "unknown command: $command" >&2; exit 2; } ;;
esac
