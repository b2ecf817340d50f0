#!/usr/bin/env bash
# run.sh - the whole benchmark in one command: install what is missing, build,
# run (variants interleaved), print the table and targets, write JSON/MD/PNG.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bash tests/bench/run.sh [OPTIONS]
  --reps N       repetitions (default 5)
  --build DIR    build directory (default <repo>/build-bench)
  --save         also copy bench.json, bench.md and bench.png to tests/bench/results/
  --smoke        tiny run of every row (seconds; checks the bench works, not timing)
  --no-install   never call apt-get; fail if something is missing
  -h, --help     this text
Outputs: DIR/bench.json, DIR/bench.md, DIR/bench.png (and the table on stdout).
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$repo/build-bench
reps=
save=0
smoke=0
install=1
while (($#)); do
    case $1 in
    --reps) reps=${2:?--reps needs a number}; shift ;;
    --build) build=${2:?--build needs a directory}; shift ;;
    --save) save=1 ;;
    --smoke) smoke=1 ;;
    --no-install) install=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

# Debian package for each thing the bench needs (hyperfine is not needed).
packages=(cmake gcc make pkg-config python3 libcmocka-dev libcap-dev check libcriterion-dev
    bubblewrap gnuplot-nox util-linux)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    if ((!install)) || [[ $(id -u) != 0 ]]; then
        echo "run.sh: missing packages: ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
        exit 1
    fi
    echo "run.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [[ $(id -u) != 0 ]]; then
    echo "run.sh: run as root: the floor program and the rootless row (setpriv) need it" >&2
    exit 1
fi

# Standalone build of tests/bench: the project without its own tests.
full=ON
((smoke)) && full=OFF
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESTCAGE_SANITIZE=OFF \
    -DTESTCAGE_BENCH_FULL="$full" > "$build.configure.log" 2>&1 ||
    { cat "$build.configure.log" >&2; exit 1; }
rm -f "$build.configure.log"
cmake --build "$build" -j "$(nproc)" --target bench_all testcage_cli > /dev/null

args=(--bin-dir "$build" --cli "$build/testcage/runner/testcage" --json "$build/bench.json"
    --markdown "$build/bench.md" --plot-data "$build/bench.dat")
((smoke)) && args+=(--smoke)
[[ -n $reps ]] && args+=(--reps "$reps")
python3 "$here/bench.py" "${args[@]}"

gnuplot -e "datafile='$build/bench.dat'; outfile='$build/bench.png'" "$here/bench.gp"
echo "wrote $build/bench.json, $build/bench.md, $build/bench.png"
if ((save)); then
    mkdir -p "$here/results"
    cp "$build/bench.json" "$build/bench.md" "$build/bench.png" "$here/results/"
    echo "saved to $here/results/"
fi
