# TestCage.cmake - register CTest tests that run in a testcage namespace cage.
# Installed with testcage; also usable in-tree (add_subdirectory / FetchContent).
include_guard(GLOBAL)

#[=======================================================================[.rst:
TestCage
--------

Run CTest tests in testcage cages: every test (or every case of a linked
test binary) gets fresh PID, mount and IPC namespaces, a private ``/tmp``
and ``/dev/shm``, a wall-clock limit enforced term-then-kill, and a report of
whatever it leaves behind.

.. code-block:: cmake

  find_package(TestCage REQUIRED)   # or add_subdirectory(testcage)
  include(TestCage)

Commands
^^^^^^^^

.. command:: testcage_add_test

  Add a CTest test whose command runs under the ``testcage`` CLI::

    testcage_add_test(NAME <name> COMMAND <command> [<arg>...]
                      [TIMEOUT <seconds>] [GRACE <seconds>]
                      [NAMESPACES <ns>...] [LEAKS warn|fail|ignore]
                      [VALGRIND] [WORKING_DIRECTORY <dir>]
                      [LABELS <label>...] [ENVIRONMENT <VAR=value>...]
                      [CONFIGURATIONS <config>...] [MAX_PROCS <n>] [MEMORY <size>]
                      [CAGE_ARGS <arg>...])

  The test runs ``testcage [--ns ...] [--leaks ...] [--valgrind]
  [<CAGE_ARGS>...] -- <command> <arg>...`` with its limits in its
  environment (``TESTCAGE_TIMEOUT``, ``TESTCAGE_GRACE``), where the caller can
  replace them when ctest runs (see "Limits when ctest runs" below).

  ``COMMAND``
    A program, a script interpreter with its script, or the name of an
    executable target (replaced by ``$<TARGET_FILE:...>``). Generator
    expressions are allowed, as in :command:`add_test`.
  ``TIMEOUT``, ``GRACE``
    The cage's wall-clock limit and its SIGTERM -> SIGKILL delay, in
    (fractional) seconds. Default: the ``TESTCAGE_TIMEOUT`` and
    ``TESTCAGE_GRACE`` variables, else 60 and 2. CTest's own ``TIMEOUT``
    property is set to ``ceil(TIMEOUT) + ceil(GRACE) + 15`` (room for the backtrace taken at the timeout, at most 10 s) so the cage's
    term-then-kill always fires first and its report is kept. ``TIMEOUT 0``
    means no cage limit and leaves CTest's property alone.
  ``NAMESPACES``
    Namespaces for ``--ns`` (``pid mount ipc uts net user cgroup time``,
    ``+name``/``-name`` edits of the default, or ``none``). Clock offsets for
    ``time`` go through ``--clock-offset`` in the test's cage arguments or the
    ``TESTCAGE_CLOCK_OFFSET`` environment variable.
  ``LEAKS``
    Leak policy; ``fail`` turns a passing test with leftovers into a failure
    (exit 122). Default: the ``TESTCAGE_LEAKS`` variable if set, else decided
    when the test runs by the ``TESTCAGE_LEAKS`` environment variable (the CLI
    reads it), else ``warn``.
  ``VALGRIND``
    Run the program under valgrind memcheck inside the cage (``--valgrind``);
    memory errors fail the test. This is the supported way to memcheck a
    caged test: see "ctest -T memcheck" below.
  ``MAX_PROCS``, ``MEMORY``
    Resource limits for the cage (``--max-procs``, ``--memory``): a fork
    bomb or an allocation runaway fails this test only. Also accepted by
    ``testcage_discover_tests``.
  ``CAGE_ARGS``
    Any other ``testcage`` options, e.g. ``--keep /srv/data`` or ``-v``.

  The test gets ``SKIP_RETURN_CODE 77`` (exit 77 means skipped, as in
  Autotools; testcage passes the program's status through).

.. command:: testcage_discover_tests

  Add one CTest test per case of a binary linked with ``TestCage::cmocka`` or
  ``TestCage::main``::

    testcage_discover_tests(<target>
                            [TIMEOUT <seconds>] [GRACE <seconds>]
                            [LEAKS warn|fail|ignore] [NAMESPACES <ns>...]
                            [PREFIX <prefix>] [LABELS <label>...]
                            [WORKING_DIRECTORY <dir>]
                            [EXTRA_ARGS <arg>...]
                            [REPEAT <n> | UNTIL_FAIL <n>]
                            [DISCOVERY_MODE POST_BUILD|PRE_TEST]
                            [DISCOVERY_TIMEOUT <seconds>]
                            [TEST_LIST <variable>]
                            [PROPERTIES <name> <value>...])

  The cases are those printed by ``<target> --list`` (one per line, e.g.
  ``group/case``). Each becomes a test named ``<prefix><case>`` that runs
  ``<target> --run <case> [--timeout ...] [--grace ...] [--leaks ...]
  [--ns ...] [<EXTRA_ARGS>...]``; the binary cages the case itself.
  Tests get ``SKIP_RETURN_CODE 77``, the ``LABELS``, and CTest ``TIMEOUT``
  ``ceil(TIMEOUT) + ceil(GRACE) + 15`` (room for the backtrace taken at the timeout, at most 10 s) when a ``TIMEOUT`` (or the
  ``TESTCAGE_TIMEOUT`` variable) is given; without one, the per-case limits
  compiled into the binary apply (default 60 s) and CTest keeps its own
  default (1500 s). ``PROPERTIES`` are set on every discovered test.

  ``REPEAT <n>``, ``UNTIL_FAIL <n>``
    Each test runs its case ``n`` times (``--repeat n``), each run in a new
    cage, or until a run fails (``--until-fail n``); the CTest ``TIMEOUT``
    is multiplied by ``n``. (``ctest --repeat until-fail:<n>`` repeats
    whole tests instead; ``--no-cage`` is for a debugger, not for CTest.)

  ``DISCOVERY_MODE``
    ``POST_BUILD`` (the default; change it project-wide with
    ``TESTCAGE_DISCOVERY_MODE``) runs ``--list`` right after the target is
    linked. If the binary cannot run, fails or exceeds ``DISCOVERY_TIMEOUT``
    (default 30 s), **the build fails** and the error shows the command and
    everything it printed; the previous test list is deleted, so no stale
    tests survive, and until discovery succeeds ``ctest`` reports one failing
    test ``<target>_NOT_DISCOVERED`` with the same output.
    ``PRE_TEST`` runs ``--list`` when ``ctest`` starts, only if the binary
    changed since the last discovery. Use it when the binary cannot run at
    build time (cross compiling, a sanitizer runtime or a device missing on
    the build machine). A discovery failure there also becomes a failing
    ``<target>_NOT_DISCOVERED`` test.
  ``TEST_LIST``
    Name of a variable, set in the generated CTest file to the discovered
    test names (for use from a ``TEST_INCLUDE_FILES`` script).

Variables
^^^^^^^^^

``TESTCAGE_EXECUTABLE``
  The ``testcage`` CLI. Default: the ``TestCage::cli`` target (imported by
  ``find_package(TestCage)``, or built in-tree), else ``testcage`` in ``PATH``.
``TESTCAGE_TIMEOUT``, ``TESTCAGE_GRACE``, ``TESTCAGE_LEAKS``
  Project-wide defaults for the options above.
``TESTCAGE_DISCOVERY_MODE``
  Default ``DISCOVERY_MODE``.
``TESTCAGE_ALLOW_CTEST_MEMCHECK``
  See below.

Limits when ctest runs
^^^^^^^^^^^^^^^^^^^^^^

``TESTCAGE_TIMEOUT`` / ``TESTCAGE_GRACE`` in the caller's environment replace
the limits of every caged test; ``ctest --timeout <s>`` replaces those of
tests without their own ``TIMEOUT`` (as CTest does). CTest's ``TIMEOUT`` is
raised to match, so the cage still fires first (``TestCageCTest.cmake``,
included at the top of each test file).

Leak summary
^^^^^^^^^^^^

Every caged test writes a JSON report below ``Testing/Temporary/testcage``;
a ``CTEST_CUSTOM_POST_TEST`` hook in the build tree's ``CTestCustom.cmake``
prints one line per test that left anything behind and the totals after
each ``ctest`` run. A project with its own ``CTestCustom.cmake`` keeps it;
configure prints the line to add.

Caging every test of an existing project
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

No change to the project's CMakeLists.txt or test code; one configure flag::

  cmake -DCMAKE_PROJECT_INCLUDE=<prefix>/share/testcage/TestCageCageAll.cmake ..

The injected module redefines :command:`add_test` so that every form is run
under ``testcage``: ``COMMAND <target>``, ``COMMAND $<TARGET_FILE:t>``,
scripts (``COMMAND sh x.sh``), the old ``add_test(<name> <exe> <args>...)``
form, in every subdirectory. It works on CMake 3.25 and later.

CMake >= 3.29 also offers ``-DCMAKE_TEST_LAUNCHER=testcage``; note that CMake
applies ``TEST_LAUNCHER`` only to tests whose ``COMMAND`` names an executable
target (not ``$<TARGET_FILE:...>``, scripts or the old form), so the module
above is the way to cage *every* test.

ctest -T memcheck
^^^^^^^^^^^^^^^^^

``ctest -T memcheck`` puts valgrind in front of each test command, which here
is the testcage runner, not the test: valgrind would check the wrong process
and silently report nothing about your code. Including this module (or the
cage-all module) therefore makes ``ctest -T memcheck`` stop with an
explanation (a ``CTEST_CUSTOM_PRE_MEMCHECK`` hook in the build tree's
``CTestCustom.cmake``, written only if the project has none of its own).
The supported path is the ``VALGRIND`` option, ``testcage --valgrind``,
``TESTCAGE_VALGRIND=1 ctest`` or a linked binary's ``--valgrind``: valgrind
then runs inside the cage on the test itself and its errors fail the test.
Set ``TESTCAGE_ALLOW_CTEST_MEMCHECK=ON`` to drop the hook.
#]=======================================================================]

set_property(GLOBAL PROPERTY _TESTCAGE_MODULE_DIR "${CMAKE_CURRENT_LIST_DIR}")

include("${CMAKE_CURRENT_LIST_DIR}/TestCageQuote.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/TestCageCTest.cmake")

function(_testcage_check_leaks mode)
  if(NOT mode MATCHES "^(warn|fail|ignore)$")
    message(FATAL_ERROR "testcage: LEAKS must be warn, fail or ignore, got '${mode}'")
  endif()
endfunction()

# An in-tree CLI (add_subdirectory(testcage EXCLUDE_FROM_ALL)) is built with
# the caller's `all`, or its caged tests would be "Not Run".
function(_testcage_cli_in_all)
  if(NOT TARGET testcage_cli_for_tests)
    add_custom_target(testcage_cli_for_tests ALL)
    add_dependencies(testcage_cli_for_tests testcage_cli)
  endif()
endfunction()

# The testcage CLI as a path or generator expression.
function(_testcage_cli out)
  if(TESTCAGE_EXECUTABLE)
    set(${out} "${TESTCAGE_EXECUTABLE}" PARENT_SCOPE)
  elseif(TARGET testcage_cli)
    _testcage_cli_in_all()
    set(${out} "$<TARGET_FILE:testcage_cli>" PARENT_SCOPE)
  elseif(TARGET TestCage::cli)
    set(${out} "$<TARGET_FILE:TestCage::cli>" PARENT_SCOPE)
  else()
    find_program(TESTCAGE_EXECUTABLE testcage)
    if(NOT TESTCAGE_EXECUTABLE)
      message(FATAL_ERROR "testcage: the testcage CLI was not found; use find_package(TestCage) "
                          "or set TESTCAGE_EXECUTABLE")
    endif()
    set(${out} "${TESTCAGE_EXECUTABLE}" PARENT_SCOPE)
  endif()
endfunction()

# What ctest needs in a build tree with caged tests, set up when the first one
# is registered: CTestCustom.cmake (unless the project has its own) with the
# leak summary after the tests and a stop for `ctest -T memcheck`, which would
# check the runner, not the test; and in each directory with caged tests, an
# include that applies the caller's limits when ctest reads the test files.
function(_testcage_ctest_hooks)
  get_property(dir GLOBAL PROPERTY _TESTCAGE_MODULE_DIR)
  set(json_dir "${CMAKE_BINARY_DIR}/Testing/Temporary/testcage")
  get_property(done GLOBAL PROPERTY _TESTCAGE_CTEST_HOOKS_DONE)
  if(NOT done)
    set_property(GLOBAL PROPERTY _TESTCAGE_CTEST_HOOKS_DONE ON)
    _testcage_bracket(q_module "${dir}/TestCageCTest.cmake")
    _testcage_bracket(q_json "${json_dir}")
    file(WRITE "${CMAKE_BINARY_DIR}/TestCageCTestLoad.cmake"
         "# Written by testcage (TestCage.cmake): caged tests take the caller's limits.\n"
         "set(_testcage_json_dir ${q_json})\n"
         "include(${q_module})\n")
    _testcage_ctest_custom("${dir}" "${json_dir}")
  endif()
  get_property(included DIRECTORY PROPERTY _TESTCAGE_CTEST_INCLUDED)
  if(NOT included)
    set_property(DIRECTORY PROPERTY _TESTCAGE_CTEST_INCLUDED ON)
    get_property(files DIRECTORY PROPERTY TEST_INCLUDE_FILES)
    list(PREPEND files "${CMAKE_BINARY_DIR}/TestCageCTestLoad.cmake") # before discovered tests
    set_property(DIRECTORY PROPERTY TEST_INCLUDE_FILES "${files}")
  endif()
endfunction()

function(_testcage_ctest_custom dir json_dir)
  set(custom "${CMAKE_BINARY_DIR}/CTestCustom.cmake")
  set(marker "# Written by testcage (TestCage.cmake).")
  set(summary "\"${CMAKE_COMMAND}\" \"-DTESTCAGE_LEAK_SUMMARY=${json_dir}\" -P \"${dir}/TestCageCTest.cmake\"")
  if(EXISTS "${custom}")
    file(STRINGS "${custom}" first LIMIT_COUNT 1)
    if(NOT first STREQUAL marker)
      # The project's own file: leave it alone, say how to get the summary.
      string(REPLACE "\"" "\\\"" summary_quoted "${summary}")
      message(STATUS "testcage: ${custom} is the project's own; for the leak summary add to it:\n"
                     "  list(APPEND CTEST_CUSTOM_POST_TEST \"${summary_quoted}\")")
      return()
    endif()
  endif()
  string(REPLACE "\"" "\\\"" summary_quoted "${summary}")
  set(text "${marker}\n"
           "# After the tests: what each caged test left behind.\n"
           "list(APPEND CTEST_CUSTOM_POST_TEST \"${summary_quoted}\")\n")
  if(NOT TESTCAGE_ALLOW_CTEST_MEMCHECK)
    list(APPEND text
         "# ctest -T memcheck would run valgrind on the testcage runner, not on the\n"
         "# test; this hook stops it with an explanation. Configure with\n"
         "# -DTESTCAGE_ALLOW_CTEST_MEMCHECK=ON to remove it.\n"
         "set(CTEST_CUSTOM_PRE_MEMCHECK \"\\\"${CMAKE_COMMAND}\\\" -P \\\"${dir}/TestCageMemcheck.cmake\\\"\")\n")
  endif()
  string(JOIN "" text ${text})
  file(WRITE "${custom}" "${text}")
endfunction()

# Appends the cage policy both functions share, from the caller's parsed
# arguments: --ns, --leaks (else the TESTCAGE_LEAKS variable), --max-procs,
# --memory.
macro(_testcage_policy_args out)
  if(arg_NAMESPACES)
    string(REPLACE ";" "," _tc_ns "${arg_NAMESPACES}")
    list(APPEND ${out} --ns "${_tc_ns}")
  endif()
  set(_tc_leaks "${arg_LEAKS}")
  if(_tc_leaks STREQUAL "" AND DEFINED TESTCAGE_LEAKS)
    set(_tc_leaks "${TESTCAGE_LEAKS}")
  endif()
  if(NOT _tc_leaks STREQUAL "")
    _testcage_check_leaks("${_tc_leaks}")
    list(APPEND ${out} --leaks "${_tc_leaks}")
  endif()
  if(NOT "${arg_MAX_PROCS}" STREQUAL "")
    list(APPEND ${out} --max-procs "${arg_MAX_PROCS}")
  endif()
  if(NOT "${arg_MEMORY}" STREQUAL "")
    list(APPEND ${out} --memory "${arg_MEMORY}")
  endif()
endmacro()

function(testcage_add_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "VALGRIND"
                        "NAME;TIMEOUT;GRACE;LEAKS;WORKING_DIRECTORY;MAX_PROCS;MEMORY"
                        "COMMAND;NAMESPACES;LABELS;ENVIRONMENT;CONFIGURATIONS;CAGE_ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "testcage_add_test: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_NAME OR NOT arg_COMMAND)
    message(FATAL_ERROR "testcage_add_test: NAME and COMMAND are required")
  endif()

  set(timeout 60)
  set(origin default)
  if(DEFINED arg_TIMEOUT)
    set(timeout "${arg_TIMEOUT}")
    set(origin own)
  elseif(DEFINED TESTCAGE_TIMEOUT AND NOT TESTCAGE_TIMEOUT STREQUAL "")
    set(timeout "${TESTCAGE_TIMEOUT}")
  endif()
  set(grace 2)
  if(DEFINED arg_GRACE)
    set(grace "${arg_GRACE}")
  elseif(DEFINED TESTCAGE_GRACE AND NOT TESTCAGE_GRACE STREQUAL "")
    set(grace "${TESTCAGE_GRACE}")
  endif()
  _testcage_ctest_timeout(ctest_timeout "${timeout}" "${grace}")

  _testcage_cli(cli)
  _testcage_ctest_hooks()
  set(cage)
  _testcage_policy_args(cage)
  if(arg_VALGRIND)
    list(APPEND cage --valgrind)
  endif()
  list(APPEND cage ${arg_CAGE_ARGS})

  list(POP_FRONT arg_COMMAND program)
  if(TARGET "${program}")
    get_target_property(type "${program}" TYPE)
    if(type STREQUAL "EXECUTABLE")
      set(program "$<TARGET_FILE:${program}>")
    endif()
  endif()

  set(extra)
  if(arg_WORKING_DIRECTORY)
    list(APPEND extra WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}")
  endif()
  if(arg_CONFIGURATIONS)
    list(APPEND extra CONFIGURATIONS ${arg_CONFIGURATIONS})
  endif()
  # Under the cage-all module add_test() passes a testcage command through.
  add_test(NAME "${arg_NAME}" COMMAND "${cli}" ${cage} -- "${program}" ${arg_COMMAND} ${extra})
  # The limits go in the environment, not on the command line, so that the
  # caller's TESTCAGE_TIMEOUT or ctest --timeout can replace them when ctest
  # runs (TestCageCTest.cmake); TESTCAGE_LIMITS says which may.
  set_tests_properties("${arg_NAME}" PROPERTIES SKIP_RETURN_CODE 77
                       TESTCAGE_LIMITS "${origin}:${timeout}:${grace}")
  set_property(TEST "${arg_NAME}" PROPERTY ENVIRONMENT
               "TESTCAGE_TIMEOUT=${timeout}" "TESTCAGE_GRACE=${grace}")
  if(ctest_timeout)
    set_tests_properties("${arg_NAME}" PROPERTIES TIMEOUT "${ctest_timeout}")
  endif()
  if(arg_LABELS)
    set_property(TEST "${arg_NAME}" APPEND PROPERTY LABELS ${arg_LABELS})
  endif()
  if(arg_ENVIRONMENT)
    set_property(TEST "${arg_NAME}" APPEND PROPERTY ENVIRONMENT ${arg_ENVIRONMENT})
  endif()
endfunction()

function(testcage_discover_tests target)
  cmake_parse_arguments(PARSE_ARGV 1 arg ""
    "TIMEOUT;GRACE;LEAKS;PREFIX;WORKING_DIRECTORY;DISCOVERY_MODE;DISCOVERY_TIMEOUT;TEST_LIST;MAX_PROCS;MEMORY;REPEAT;UNTIL_FAIL"
    "NAMESPACES;LABELS;EXTRA_ARGS;PROPERTIES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "testcage_discover_tests: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "testcage_discover_tests: '${target}' is not a target")
  endif()
  get_target_property(type "${target}" TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
    message(FATAL_ERROR "testcage_discover_tests: '${target}' is not an executable target")
  endif()

  _testcage_ctest_hooks()
  set(mode "${arg_DISCOVERY_MODE}")
  if(mode STREQUAL "")
    set(mode "${TESTCAGE_DISCOVERY_MODE}")
  endif()
  if(mode STREQUAL "")
    set(mode POST_BUILD)
  endif()
  if(NOT mode MATCHES "^(POST_BUILD|PRE_TEST)$")
    message(FATAL_ERROR "testcage_discover_tests: DISCOVERY_MODE must be POST_BUILD or PRE_TEST")
  endif()
  set(discovery_timeout 30)
  if(DEFINED arg_DISCOVERY_TIMEOUT)
    set(discovery_timeout "${arg_DISCOVERY_TIMEOUT}")
  endif()
  set(workdir "${CMAKE_CURRENT_BINARY_DIR}")
  if(arg_WORKING_DIRECTORY)
    set(workdir "${arg_WORKING_DIRECTORY}")
  endif()

  # Per-case arguments, limits (in the environment, see testcage_add_test)
  # and CTest timeout.
  set(run_args)
  set(timeout "${arg_TIMEOUT}")
  set(origin own)
  if(timeout STREQUAL "")
    set(origin default)
    if(DEFINED TESTCAGE_TIMEOUT)
      set(timeout "${TESTCAGE_TIMEOUT}")
    endif()
  endif()
  set(grace "${arg_GRACE}")
  if(grace STREQUAL "" AND DEFINED TESTCAGE_GRACE)
    set(grace "${TESTCAGE_GRACE}")
  endif()
  set(limits "${origin}:${timeout}:${grace}")
  set(env)
  set(ctest_timeout "")
  if(NOT timeout STREQUAL "")
    list(APPEND env "TESTCAGE_TIMEOUT=${timeout}")
    if(grace STREQUAL "")
      _testcage_ctest_timeout(ctest_timeout "${timeout}" 2)
    else()
      _testcage_ctest_timeout(ctest_timeout "${timeout}" "${grace}")
    endif()
  endif()
  if(NOT grace STREQUAL "")
    list(APPEND env "TESTCAGE_GRACE=${grace}")
  endif()
  _testcage_policy_args(run_args)
  # Per-run repetition: the runner's --repeat/--until-fail, and CTest's limit
  # covers every run.
  if(DEFINED arg_REPEAT AND DEFINED arg_UNTIL_FAIL)
    message(FATAL_ERROR "testcage_discover_tests: REPEAT and UNTIL_FAIL exclude each other")
  endif()
  foreach(kw REPEAT UNTIL_FAIL)
    if(DEFINED arg_${kw})
      if(NOT arg_${kw} MATCHES "^[1-9][0-9]*$")
        message(FATAL_ERROR "testcage_discover_tests: ${kw} must be a positive integer, not '${arg_${kw}}'")
      endif()
      string(TOLOWER "--${kw}" flag)
      string(REPLACE "_" "-" flag "${flag}")
      list(APPEND run_args "${flag}" "${arg_${kw}}")
      if(NOT ctest_timeout STREQUAL "")
        math(EXPR ctest_timeout "${ctest_timeout} * ${arg_${kw}}")
      endif()
    endif()
  endforeach()
  list(APPEND run_args ${arg_EXTRA_ARGS})

  # One set of generated files per call (a target may be discovered twice).
  get_property(n TARGET "${target}" PROPERTY _TESTCAGE_DISCOVER_COUNT)
  if(NOT n)
    set(n 0)
  endif()
  math(EXPR n "${n} + 1")
  set_property(TARGET "${target}" PROPERTY _TESTCAGE_DISCOVER_COUNT ${n})
  set(base "${CMAKE_CURRENT_BINARY_DIR}/${target}[${n}]_testcage")
  get_property(multi GLOBAL PROPERTY GENERATOR_IS_MULTI_CONFIG)
  if(multi)
    set(cfg "-$<CONFIG>")
  else()
    set(cfg "")
  endif()

  get_property(module_dir GLOBAL PROPERTY _TESTCAGE_MODULE_DIR)
  set(script "${module_dir}/TestCageDiscover.cmake")

  # Everything discovery needs, in a file: no command-line quoting pitfalls.
  set(params "# Generated by testcage_discover_tests(${target}); do not edit.\n")
  foreach(var IN ITEMS target mode discovery_timeout workdir ctest_timeout run_args limits env)
    _testcage_bracket(q "${${var}}")
    string(APPEND params "set(_tc_${var} ${q})\n")
  endforeach()
  foreach(var IN ITEMS PREFIX LABELS PROPERTIES TEST_LIST)
    string(TOLOWER "${var}" lower)
    _testcage_bracket(q "${arg_${var}}")
    string(APPEND params "set(_tc_${lower} ${q})\n")
  endforeach()
  _testcage_bracket(q "${CMAKE_COMMAND}")
  string(APPEND params "set(_tc_cmake ${q})\n")
  string(APPEND params "set(_tc_executable [==[$<TARGET_FILE:${target}>]==])\n")
  string(APPEND params "set(_tc_emulator [==[$<TARGET_PROPERTY:${target},CROSSCOMPILING_EMULATOR>]==])\n")
  string(APPEND params "set(_tc_tests_file [==[${base}_tests${cfg}.cmake]==])\n")
  string(APPEND params "set(_tc_failed_file [==[${base}_failed${cfg}.txt]==])\n")
  file(GENERATE OUTPUT "${base}_params${cfg}.cmake" CONTENT "${params}")

  if(mode STREQUAL "POST_BUILD")
    add_custom_command(TARGET "${target}" POST_BUILD
      COMMAND "${CMAKE_COMMAND}" "-DTESTCAGE_DISCOVER_PARAMS=${base}_params${cfg}.cmake"
              -P "${script}"
      BYPRODUCTS "${base}_tests${cfg}.cmake"
      COMMENT "Discovering testcage cases of ${target}"
      VERBATIM)
  endif()

  # The file CTest includes: (re)discover in PRE_TEST mode, then load the
  # tests, or report the failure as a failing test.
  if(multi)
    set(cfg_ctest "-\${CTEST_CONFIGURATION_TYPE}")
  else()
    set(cfg_ctest "")
  endif()
  _testcage_bracket(q_script "${script}")
  _testcage_bracket(q_target "${target}")
  set(include_file "${base}_include.cmake")
  file(WRITE "${include_file}"
    "# Generated by testcage_discover_tests(${target}); do not edit.\n"
    "include(${q_script})\n"
    "_testcage_discover_include(\"${base}_params${cfg_ctest}.cmake\" ${q_target})\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
