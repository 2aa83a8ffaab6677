#!/usr/bin/env bash
# Proves the NuGet packages work for an outside application, as the README and docs tell users to use them:
#   1. packs src/SequenceKit and src/SequenceKit.PyTorch (deterministic, with .snupkg symbols) into artifacts/packages
#   2. checks the packages: net8.0 and net10.0 builds with XML docs, the package README, icon and license, repository
#      metadata, dependencies with their version ranges per framework, symbols, and no local path in the DLLs
#   3. outside the repository, against those packages and TorchSharp-cpu, compiles every ```csharp block of README.md,
#      docs/**/*.md and the package READMEs (src/*/PACKAGE.md), and runs the README's first block (the whole Program.cs of the "Use it" section).
#
# A block is one of:
#   - a whole program (the default): compiled as the Program.cs of its own console app;
#   - a fragment: its first line is `// From <repository path>` (the sample it comes from). Its statements are compiled
#     inside a method; a line `// Given: Type name; Type name;` declares the variables it uses (they become the
#     method's parameters). Type declarations (a block whose code starts with `public`) are compiled at namespace level,
#     and when they come from src/, each of their code lines must be a line of that file (so the excerpt cannot drift).
#     Leading `using` directives are kept at the top of the file, so every block states the namespaces it needs.
#     When the path is a sample (src/Samples/<Name>/…), that sample is also compiled against the packages.
# Blocks of the files listed in build/doc-blocks-pending.txt are compiled too, but their failure is reported, not fatal.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
packages="$root/artifacts/packages"
# VERIFY_REUSE_PACKAGES=1 checks the packages already in artifacts/packages (while editing docs) instead of packing.
if [ "${VERIFY_REUSE_PACKAGES:-}" != 1 ]; then
  rm -rf "$packages"
  for project in SequenceKit SequenceKit.PyTorch; do
    dotnet pack "$root/src/$project" -c Release -o "$packages" -v quiet -nologo -p:ContinuousIntegrationBuild=true
  done
fi
nupkg="$packages/$(cd "$packages" && ls SequenceKit.[0-9]*.nupkg | head -n 1)"
version=$(basename "$nupkg" .nupkg); version=${version#SequenceKit.}
pytorch_nupkg="$packages/SequenceKit.PyTorch.$version.nupkg"
echo "verify-package: built $(cd "$packages" && ls | tr '\n' ' ')"

fail() { echo "verify-package: $*" >&2; exit 1; }
command -v unzip >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null
check_package() {  # nupkg id dependencies…
  local pkg=$1 id=$2; shift 2
  [ -f "$pkg" ] || fail "$pkg was not built"
  [ -f "${pkg%.nupkg}.snupkg" ] || fail "no symbol package ${pkg%.nupkg}.snupkg"
  local listing nuspec tfm entry needle dll
  listing=$(unzip -l "$pkg")
  for tfm in net8.0 net10.0; do
    for entry in "lib/$tfm/$id.dll" "lib/$tfm/$id.xml"; do
      grep -q " $entry\$" <<<"$listing" || fail "$entry missing from $(basename "$pkg")"
    done
  done
  for entry in PACKAGE.md icon.png LICENSE "$id.nuspec"; do
    grep -q " $entry\$" <<<"$listing" || fail "$entry missing from $(basename "$pkg")"
  done
  nuspec=$(unzip -p "$pkg" "$id.nuspec")
  for needle in '<license type="expression">MIT</license>' '<readme>PACKAGE.md</readme>' '<icon>icon.png</icon>' \
                '<repository type="git" url="https://github.com/sequencekit/sequencekit"' '<releaseNotes>' \
                '<group targetFramework="net8.0">' '<group targetFramework="net10.0">' "$@"; do
    grep -qF "$needle" <<<"$nuspec" || fail "the nuspec of $(basename "$pkg") lacks $needle"
  done
  # The repository's commit, for SourceLink users, when the build saw a git repository.
  grep -q '<repository [^>]*commit="[0-9a-f]\{40\}"' <<<"$nuspec" || echo "verify-package: note: $(basename "$pkg") records no commit (no git repository?)"
  if grep -qiE '<dependency id="(TorchSharp-|libtorch)' <<<"$nuspec"; then fail "$id must not depend on a native backend package"; fi
  # The package README is for the package page: every link absolute.
  if unzip -p "$pkg" PACKAGE.md | grep -oE '\]\([^)]*\)' | grep -vqE '^\]\((https?://|#)'; then
    fail "PACKAGE.md of $(basename "$pkg") has a relative link: $(unzip -p "$pkg" PACKAGE.md | grep -oE '\]\([^)]*\)' | grep -vE '^\]\((https?://|#)' | head -n 3 | tr '\n' ' ')"
  fi
  # SourceLink: the symbols map the sources to the GitHub repository at the built commit.
  local pdb
  for tfm in net8.0 net10.0; do
    pdb=$(unzip -p "${pkg%.nupkg}.snupkg" "lib/$tfm/$id.pdb" | strings)
    grep -q 'raw.githubusercontent.com/sequencekit/sequencekit/' <<<"$pdb" \
      || fail "lib/$tfm/$id.pdb in $(basename "${pkg%.nupkg}.snupkg") has no SourceLink to GitHub"
    if grep -qF "$root" <<<"$pdb"; then fail "lib/$tfm/$id.pdb embeds the local path $root"; fi
  done
  # AnyCPU: the PE header's machine is i386 (0x14c) for AnyCPU IL, 0x8664 for an x64-only build.
  local peoffset machine
  for tfm in net8.0 net10.0; do
    unzip -p "$pkg" "lib/$tfm/$id.dll" > "$packages/.check.dll"
    peoffset=$(od -An -tu4 -j60 -N4 "$packages/.check.dll" | tr -d ' ')
    machine=$(od -An -tx2 -j$((peoffset + 4)) -N2 "$packages/.check.dll" | tr -d ' ')
    rm -f "$packages/.check.dll"
    [ "$machine" = 014c ] || fail "lib/$tfm/$id.dll is not AnyCPU (PE machine 0x$machine)"
  done
  # Deterministic build: no path of this machine in the DLLs (the PDB path is /_/…).
  for tfm in net8.0 net10.0; do
    dll=$(unzip -p "$pkg" "lib/$tfm/$id.dll" | strings)
    if grep -qF "$root" <<<"$dll"; then fail "lib/$tfm/$id.dll embeds the local path $root: $(grep -F "$root" <<<"$dll" | head -n 1)"; fi
  done
  echo "verify-package: $(basename "$pkg"): net8.0 + net10.0, docs, PACKAGE.md, icon, AnyCPU, symbols with SourceLink, no local paths; dependencies: $(grep -o '<dependency id="[^"]*" version="[^"]*"' <<<"$nuspec" | sed 's/<dependency id="\([^"]*\)" version="\([^"]*\)"/\1 \2/' | sort -u | paste -sd ";" | sed "s/;/; /g")"
}
check_package "$nupkg" SequenceKit '<dependency id="TorchSharp" version="[0.107.0, 0.108.0)"'
if grep -qE '<dependency id="(TorchSharp.PyBridge|Razorvine|TqdmSharp)' <<<"$(unzip -p "$nupkg" SequenceKit.nuspec)"; then
  fail "SequenceKit must not depend on the PyTorch interop packages; they belong to SequenceKit.PyTorch"
fi
check_package "$pytorch_nupkg" SequenceKit.PyTorch "<dependency id=\"SequenceKit\" version=\"[$version]\"" '<dependency id="TorchSharp.PyBridge"'

# ---- Outside applications --------------------------------------------------------------------------------------
work=$(mktemp -d /tmp/sequencekit-outside.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A stale copy of this version in the NuGet cache would hide a broken package.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/sequencekit/$version" "${NUGET_PACKAGES:-$HOME/.nuget/packages}/sequencekit.pytorch/$version"
cat > "$work/nuget.config" <<CFG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="sequencekit-local" value="$packages" />
  </packageSources>
</configuration>
CFG
# Versions of the samples' other packages come from the repository's central list; SequenceKit from the local folder.
sed "s|</ItemGroup>|  <PackageVersion Include=\"SequenceKit\" Version=\"$version\" />\n    <PackageVersion Include=\"SequenceKit.PyTorch\" Version=\"$version\" />\n  </ItemGroup>|" \
  "$root/Directory.Packages.props" > "$work/Directory.Packages.props"
cat > "$work/Directory.Build.props" <<'PROPS'
<Project>
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="SequenceKit" />
    <PackageReference Include="SequenceKit.PyTorch" />
    <PackageReference Include="TorchSharp-cpu" />
  </ItemGroup>
</Project>
PROPS
new_project() {  # folder output-type [extra xml]
  mkdir -p "$work/$1"
  printf '<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n    <OutputType>%s</OutputType>\n  </PropertyGroup>\n%s\n</Project>\n' "$2" "${3:-}" > "$work/$1/$1.csproj"
}

# Split every ```csharp block into blocks/<file>_<n>.cs with a first line "#source <file> <line>".
mkdir -p "$work/blocks"
mapfile -t docs < <(printf '%s\n' "$root/README.md"; find "$root/docs" -name '*.md' | sort; ls "$root"/src/*/PACKAGE.md)
for doc in "${docs[@]}"; do
  rel=${doc#"$root/"}
  awk -v out="$work/blocks" -v rel="$rel" '
    /^```csharp[[:space:]]*$/ { n++; name = rel; gsub(/[^A-Za-z0-9]/, "_", name); file = sprintf("%s/%s_%d.cs", out, name, n); print "#source " rel " " NR + 1 > file; inside = 1; next }
    inside && /^```/ { inside = 0; close(file); next }
    inside { print > file }' "$doc"
done
pending=$(grep -v '^#' "$root/build/doc-blocks-pending.txt" 2>/dev/null || true)
is_pending() { grep -qxF "$1" <<<"$pending"; }

new_project Fragments Library '  <PropertyGroup>
    <!-- A fragment may declare a variable it does not use, or a local function for later. -->
    <NoWarn>$(NoWarn);CS0168;CS0219;CS8321</NoWarn>
  </PropertyGroup>'
# The code of a C# text, line by line, without comments, indentation or blank lines.
code_lines() { sed -E 's|//.*$||; s/^[[:space:]]+//; s/[[:space:]]+$//' | grep -v '^$' || true; }
programs=(); samples=(); main_program=""
for block in "$work"/blocks/*.cs; do
  read -r _ rel start < "$block"
  body=$(tail -n +2 "$block")
  id=$(basename "$block" .cs)
  first=$(head -n 1 <<<"$body")
  if [[ $first =~ ^//\ From\ ([^[:space:]]+) ]]; then
    from=${BASH_REMATCH[1]}
    [ -e "$root/$from" ] || fail "$rel:$start: the fragment says it comes from $from, which does not exist"
    if [[ $from =~ ^src/Samples/([^/]+)/ ]]; then samples+=("${BASH_REMATCH[1]}"); fi
    given=$(grep -m 1 '^// Given:' <<<"$body" | sed 's|^// Given:||; s|;[[:space:]]*$||; s|;|,|g' || true)
    usings=$(grep -E '^using (static )?[A-Za-z_][A-Za-z0-9_.]*;' <<<"$body" || true)
    code=$(grep -vE '^using (static )?[A-Za-z_][A-Za-z0-9_.]*;' <<<"$body" || true)
    {
      echo "$usings"
      echo "#line $start \"$root/$rel\""
      if grep -qE '^(public|internal) ' <<<"$code"; then
        echo "namespace DocBlocks.$id;"
        echo "$code"
        # An excerpt of a library type must not drift from it: each of its code lines is a line of that file.
        if [[ $from == src/* ]]; then
          missing=$(comm -23 <(code_lines <<<"$code" | sort -u) <(code_lines < "$root/$from" | sort -u))
          [ -z "$missing" ] || fail "$rel:$start: the declaration differs from $from, which has no line: $(head -n 3 <<<"$missing")"
        fi
      else
        echo "namespace DocBlocks;"
        echo "internal static class $id"
        echo "{"
        echo "    internal static void Run(${given})"
        echo "    {"
        echo "$code"
        echo "    }"
        echo "}"
      fi
    } > "$work/Fragments/$id.cs"
    echo "verify-package: block $rel:$start: fragment of $from${given:+, given$given}"
  else
    project="Program_$id"
    new_project "$project" Exe
    { echo "#line $start \"$root/$rel\""; echo "$body"; } > "$work/$project/Program.cs"
    programs+=("$project")
    echo "verify-package: block $rel:$start: whole program$([ "$(basename "$block")" = README_md_1.cs ] && echo ', runs')"
    [ -n "$main_program" ] || [ "$(basename "$block")" != "README_md_1.cs" ] || main_program=$project
  fi
done
[ -n "$main_program" ] || fail "README.md's first \`\`\`csharp block must be a whole program (the \"Use it\" Program.cs)"

# Each sample a fragment names: its sources, its own packages and the sources of any non-packaged project it uses.
for sample in $(printf '%s\n' "${samples[@]}" | sort -u); do
  dir="$root/src/Samples/$sample"
  [ -f "$dir/$sample.csproj" ] || fail "fragments name src/Samples/$sample, which has no $sample.csproj"
  refs=$(grep -o '<PackageReference Include="[^"]*"' "$dir/$sample.csproj" | sed 's/.*"\(.*\)"/    <PackageReference Include="\1" \/>/' || true)
  project="Sample_$sample"
  mkdir -p "$work/$project"
  cp "$dir"/*.cs "$work/$project/"
  for reference in $(grep -o '<ProjectReference Include="[^"]*"' "$dir/$sample.csproj" | sed 's/.*"\(.*\)"/\1/'); do
    case "$(basename "$reference" .csproj)" in
      SequenceKit|SequenceKit.PyTorch) ;;   # the packages
      *) other=$(cd "$dir/$(dirname "$reference")" && pwd)
         mkdir -p "$work/$project/$(basename "$other")"
         (cd "$other" && find . -name '*.cs' -not -path './obj/*' -not -path './bin/*' -exec cp --parents {} "$work/$project/$(basename "$other")/" \;)
         refs+=$'\n'$(grep -o '<PackageReference Include="[^"]*"' "$other/$(basename "$reference")" | sed 's/.*"\(.*\)"/    <PackageReference Include="\1" \/>/' || true) ;;
    esac
  done
  new_project "$project" Exe "  <ItemGroup>
$refs
  </ItemGroup>"
  programs+=("$project")
done

# One restore and build for everything; then each project alone only to attribute a failure.
cd "$work"
dotnet new sln -n Outside --format sln >/dev/null
dotnet sln Outside.sln add Fragments/Fragments.csproj $(for p in "${programs[@]}"; do echo "$p/$p.csproj"; done) >/dev/null
blocks_total=$(ls blocks | wc -l)
if dotnet build Outside.sln -c Release -v quiet -nologo > build.log 2>&1; then
  echo "verify-package: compiled all $blocks_total \`\`\`csharp blocks of README.md and docs/*.md ($(ls Fragments/*.cs | wc -l) fragments, ${#programs[@]} programs and samples: ${programs[*]})"
else
  # Which blocks failed, by the "#line" file names in the errors (README.md:NN, docs/x.md:NN) or the project.
  errors=$(grep -E ': error ' build.log | sed 's/ \[.*//' | sort -u)
  fatal=0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    file=$(sed -E 's/^([^(:]*)[(:].*/\1/' <<<"$line"); rel=${file#"$root/"}
    if is_pending "$rel"; then echo "verify-package: pending (not fatal): $line"; else echo "verify-package: $line" >&2; fatal=1; fi
  done <<<"$errors"
  [ -n "$errors" ] || { tail -n 30 build.log >&2; fatal=1; }
  [ "$fatal" -eq 0 ] || fail "a documented C# block or sample does not compile against the packages (above)"
  # Only pending blocks failed: build the rest without them, so that the README program can still run.
  for rel in $pending; do
    id=$(sed 's/[^A-Za-z0-9]/_/g' <<<"$rel")
    rm -f Fragments/"$id"_*.cs
    for project in Program_"$id"_*; do [ -d "$project" ] && dotnet sln Outside.sln remove "$project/$project.csproj" >/dev/null; done
  done
  dotnet build Outside.sln -c Release -v quiet -nologo > build.log 2>&1 || { grep -E ': error ' build.log | sort -u | head -n 20 >&2; fail "the documented blocks do not compile"; }
  echo "verify-package: compiled every \`\`\`csharp block except those of the pending files listed above, and ${#programs[@]} programs and samples: ${programs[*]}"
fi
for rel in $pending; do
  id=$(sed 's/[^A-Za-z0-9]/_/g' <<<"$rel")
  if ! grep -qF "$rel" <<<"${errors:-}"; then echo "verify-package: note: every block of pending $rel compiles; remove it from build/doc-blocks-pending.txt"; fi
done

output=$(dotnet run --project "$main_program" -c Release --no-build)
echo "$output" | sed 's/^/  app> /'
grep -q "Total params" <<<"$output" || fail "the README's first block did not print a model summary"
echo "verify-package: OK — outside apps restored SequenceKit and SequenceKit.PyTorch $version from $packages, compiled the docs' C# blocks and ran the README program"
