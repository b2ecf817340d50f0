# shellcheck shell=bash disable=SC2034
# lib.sh - the environment tests' setup on top of ../shell/common.sh: copies
# of the CLI, the linked runner (env_suite) and the simulators where uid 65534
# can run them, the wrappers that make a restricted machine, and check_row,
# which drives both front ends through one environment and checks the contract.

# shellcheck source=../shell/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/common.sh"

# Environment variables of the caller that would change what the runs do.
unset TESTCAGE_NS TESTCAGE_REQUIRE_ISOLATION TESTCAGE_FILTER TESTCAGE_JOBS TESTCAGE_TAP \
    TESTCAGE_JSON TESTCAGE_JUNIT TESTCAGE_VERBOSE TESTCAGE_QUIET TESTCAGE_EXEC

AS_NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

# env_setup NAME: root only (CI is root; never a silent skip), a work dir
# below /tmp that uid 65534 can enter, the programs copied into it.
env_setup() {
    TC_NAME=$1
    if [[ $(id -u) != 0 ]]; then
        echo "FAIL: $TC_NAME must run as root (CI is root); refusing to pass silently" >&2
        exit 1
    fi
    local f lib
    for f in "$ENV_CLI" "$ENV_SUITE" "$ENV_RESTRICT" "$ENV_NONS"; do
        [[ -x $f ]] || fail_now "$f is not an executable file"
    done
    TC_FAILED=0
    MARK="tcmark-env-$TC_NAME-$$-$RANDOM"
    # Below /tmp, unless the test makes /tmp read-only (ENV_WORK_ROOT).
    WORK=$(mktemp -d "${ENV_WORK_ROOT:-/tmp}/tcenv.$TC_NAME.XXXXXX")
    chmod 755 "$WORK"
    trap env_finish EXIT
    BIN=$WORK/bin
    mkdir -p "$BIN"
    cp "$ENV_CLI" "$BIN/testcage"
    # The runner's name carries the mark: its inits and bodies are found by it.
    cp "$ENV_SUITE" "$BIN/suite-$MARK"
    cp "$ENV_RESTRICT" "$BIN/restrict"
    cp "$ENV_NONS" "$BIN/nons"
    while read -r lib; do
        cp -L "$lib" "$BIN/"
    done < <(ldd "$ENV_CLI" "$ENV_SUITE" | awk '/libtestcage/ && $3 ~ /^\// {print $3}' | sort -u)
    chmod -R a+rX "$BIN"
    TCN=$BIN/testcage
    SUITE=$BIN/suite-$MARK
    RESTRICT=$BIN/restrict
    NONS=$BIN/nons
    export LD_LIBRARY_PATH=$BIN
    # Everything a run may leave goes below BASE (TMPDIR), so leftovers are ours.
    BASE=$WORK/tmpbase
    mkdir -m 777 "$BASE"
    export TMPDIR=$BASE
    RAN=$WORK/ran
    export ENV_RAN=$RAN
    OUT=$WORK/out
    ERR=$WORK/err
    : >"$OUT"
    : >"$ERR"
    chmod 777 "$WORK"
    cd "$WORK" || exit 1
}

env_finish() {
    local rc=$?
    trap - EXIT
    TC_LAST=
    cd /
    rm -rf "$WORK" # first: the runner's copy is named after the mark
    check_host "$MARK"
    if [[ $rc != 0 && $TC_FAILED == 0 ]]; then
        echo "FAIL: $TC_NAME: script error (exit $rc)" >&2
        TC_FAILED=1
    fi
    if [[ $TC_FAILED != 0 ]]; then
        echo "$TC_NAME: FAILED" >&2
        exit 1
    fi
    echo "$TC_NAME: ok"
    exit 0
}

# no_leftovers WHAT: nothing of ours in BASE or /var/tmp, no marked process.
no_leftovers() {
    local left pids
    sleep 0.2 # an init that outlived its runner is finishing its clean-up
    # /var/tmp only where this test sends TMPDIRs there (a read-only /tmp):
    # other tests running meanwhile never do.
    local -a dirs=("$BASE")
    [[ ${ENV_WORK_ROOT:-} != /var/tmp ]] || dirs+=(/var/tmp)
    left=$(find "${dirs[@]}" -maxdepth 1 -name 'testcage.*' 2>/dev/null || true)
    [[ -z $left ]] || {
        note_fail "$1: private TMPDIRs left behind: $left"
        # shellcheck disable=SC2086
        rm -rf $left
    }
    pids=$(marked_pids "$MARK")
    [[ -z $pids ]] || {
        note_fail "$1: processes survived: $(ps -o pid=,args= -p "$(echo "$pids" | paste -sd,)" | tr '\n' ';')"
        # shellcheck disable=SC2086
        kill -9 $pids 2>/dev/null || true
    }
}

# ran_lines WANT...: the cases that ran, each exactly once, in $RAN.
expect_ran() {
    local want got
    want=$(printf '%s\n' "$@" | sort)
    got=$(sort "$RAN" 2>/dev/null || true)
    [[ $got == "$want" ]] || note_fail "expected these runs: [${want//$'\n'/ }], got: [${got//$'\n'/ }]"
    : >"$RAN"
}

# expect_notice KIND CAUSE: exactly one notice line on stderr, of KIND
# (fallback or refusal), with CAUSE (a regex); none on stdout.
expect_notice() {
    local kind=$1 cause=$2 re n
    if [[ $kind == fallback ]]; then re='; running without namespaces; '; else re='; isolation is required, so nothing runs; '; fi
    n=$(grep -c -- "$re" "$ERR" || true)
    [[ $n == 1 ]] || note_fail "the $kind notice was said $n times, not once"
    grep -Eq -- "^testcage: $cause.*$re" "$ERR" || note_fail "the $kind notice lacks its cause /$cause/"
    ! grep -q '^testcage: ' "$OUT" || note_fail "the notice reached stdout"
}

expect_no_notice() {
    ! grep -qE -- 'running without namespaces|isolation is required' "$ERR" "$OUT" ||
        note_fail "a notice was said where the cage is isolated"
}

# json_isolated FILE: "true"/"false" of every case, space-separated.
json_isolated() {
    python3 -c 'import json,sys; print(" ".join(str(c.get("isolated")).lower() for c in json.load(open(sys.argv[1]))["cases"]))' "$1"
}

# check_row ISOLATED CAUSE WRAP...: the CLI and the linked runner under WRAP
# (the environment, and who runs). ISOLATED yes: full isolation, no notice;
# no: fork only, the notice once with CAUSE, --require-isolation refuses.
check_row() {
    local iso=$1 cause=$2
    shift 2
    local -a wrap=("$@")
    : >"$RAN"
    chmod 666 "$RAN"
    # The CLI: the status passes through, the program runs once.
    # shellcheck disable=SC2016 # expanded by the caged shell
    run_cmd "${wrap[@]}" "$TCN" -- sh -c 'echo ran >>"$ENV_RAN"; echo "tmpdir=$TMPDIR"; exit 3'
    expect_rc 3 "CLI: the status passes through"
    expect_ran ran
    if [[ $iso == yes ]]; then expect_no_notice; else expect_notice fallback "$cause"; fi
    # shellcheck disable=SC2016 # expanded by the caged shell
    run_cmd "${wrap[@]}" "$TCN" --require-isolation -- sh -c 'echo ran >>"$ENV_RAN"'
    if [[ $iso == yes ]]; then
        expect_rc 0 "CLI --require-isolation, isolated"
        expect_ran ran
    else
        expect_rc 125 "CLI --require-isolation"
        expect_ran
        expect_notice refusal "$cause"
        [[ $(wc -l <"$ERR") == 1 ]] || note_fail "CLI --require-isolation: more than the one line"
    fi
    # The linked runner, TAP on stdout: the notice on stderr only, once.
    rm -f "$WORK/r.json"
    run_cmd "${wrap[@]}" "$SUITE" -j 2 --tap --filter ran --filter fails --json "$WORK/r.json"
    expect_rc 1 "runner: one case fails"
    expect_ran ran fails
    head -1 "$OUT" | grep -q '^TAP version' || note_fail "runner: stdout is not TAP"
    if [[ $iso == yes ]]; then
        expect_no_notice
        [[ $(json_isolated "$WORK/r.json") == "true true" ]] || note_fail "JSON: isolated should be true"
    else
        expect_notice fallback "$cause"
        [[ $(json_isolated "$WORK/r.json") == "false false" ]] || note_fail "JSON: isolated should be false"
    fi
    run_cmd "${wrap[@]}" "$SUITE" --require-isolation --filter ran --filter fails
    if [[ $iso == yes ]]; then
        expect_rc 1 "runner --require-isolation, isolated"
        expect_ran ran fails
    else
        expect_rc 125 "runner --require-isolation"
        expect_ran
        expect_notice refusal "$cause"
    fi
    no_leftovers "${wrap[*]}"
}
