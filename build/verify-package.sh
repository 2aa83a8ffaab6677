#!/usr/bin/env bash
# Proves the NuGet package works for an outside application, as the README tells users to use it:
#   1. dotnet pack src/SequenceKit → artifacts/packages/SequenceKit.<version>.nupkg
#   2. checks the package holds the XML docs, README, license and repository metadata
#   3. creates a new console app outside the repository, references SequenceKit (from the local folder) and
#      TorchSharp-cpu, makes the README's first ```csharp block its Program.cs, and runs it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
packages="$root/artifacts/packages"
rm -rf "$packages"
dotnet pack "$root/src/SequenceKit" -c Release -o "$packages" -v quiet -nologo
nupkg=$(ls "$packages"/SequenceKit.*.nupkg | head -n 1)
version=$(basename "$nupkg" .nupkg); version=${version#SequenceKit.}
echo "verify-package: built $(basename "$nupkg")"

command -v unzip >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null
listing=$(unzip -l "$nupkg")
for entry in lib/net10.0/SequenceKit.dll lib/net10.0/SequenceKit.xml README.md LICENSE SequenceKit.nuspec; do
  grep -q " $entry\$" <<<"$listing" || { echo "verify-package: $entry missing from the package" >&2; exit 1; }
done
nuspec=$(unzip -p "$nupkg" SequenceKit.nuspec)
for needle in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<repository type="git"' 'id="TorchSharp" version="0.107.0"'; do
  grep -qF "$needle" <<<"$nuspec" || { echo "verify-package: nuspec lacks $needle" >&2; exit 1; }
done
if grep -qiE '<dependency id="(TorchSharp-|libtorch)' <<<"$nuspec"; then
  echo "verify-package: the library must not depend on a native backend package" >&2; exit 1
fi

app=$(mktemp -d /tmp/sequencekit-outside-app.XXXXXX)
trap 'rm -rf "$app"' EXIT
cd "$app"
# A stale copy of this version in the NuGet cache would hide a broken package.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/sequencekit/$version"
cat > nuget.config <<CFG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="sequencekit-local" value="$packages" />
  </packageSources>
</configuration>
CFG
dotnet new console -n OutsideApp -o . --force >/dev/null
dotnet add package SequenceKit --version "$version" >/dev/null
dotnet add package TorchSharp-cpu --version 0.107.0 >/dev/null
# The README's first C# block, as written.
awk '/^```csharp/{inside=1; next} inside && /^```/{exit} inside{print}' "$root/README.md" > Program.cs
[ -s Program.cs ] || { echo "verify-package: README has no \`\`\`csharp block" >&2; exit 1; }
dotnet build -c Release -v quiet -nologo -p:TreatWarningsAsErrors=true >/dev/null
output=$(dotnet run -c Release --no-build)
echo "$output" | sed 's/^/  app> /'
grep -q "Total params" <<<"$output" || { echo "verify-package: the README snippet did not print a model summary" >&2; exit 1; }
echo "verify-package: OK — an outside console app restored SequenceKit $version from $packages and ran the README snippet"
