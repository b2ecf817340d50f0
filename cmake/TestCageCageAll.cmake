# TestCageCageAll.cmake - cage every add_test() of a project without touching its code.
# Inject with: cmake -DCMAKE_PROJECT_INCLUDE=<prefix>/share/testcage/TestCageCageAll.cmake
#
# CMake runs this file right after every project() call (CMake >= 3.15). It
# redefines add_test() so each test's command becomes
#   testcage -- <command> <args>...
# for every form: add_test(NAME n COMMAND <target>|$<TARGET_FILE:t>|<program>
# |<interpreter script>), the old add_test(<name> <exe> <args>...), in every
# subdirectory and subproject. The builtin stays reachable as _add_test.
#
# Policy (cache variables, or TESTCAGE_* in the environment when ctest runs):
#   TESTCAGE_EXECUTABLE  the testcage CLI (default: the one installed with
#                        this file)
#   TESTCAGE_TIMEOUT     cage limit in seconds for tests without a TIMEOUT
#                        property (default 1500, CTest's own default); a test
#                        with a TIMEOUT property keeps it as its cage limit
#   TESTCAGE_GRACE       SIGTERM -> SIGKILL delay (default 2)
#   TESTCAGE_LEAKS       warn|fail|ignore; empty (default): decided at test time
#                        by the TESTCAGE_LEAKS environment variable, else warn
# Each caged test gets CTest TIMEOUT = limit + grace + 15, so the cage's
# term-then-kill fires first and its report is kept. When ctest runs, the
# caller's TESTCAGE_TIMEOUT / TESTCAGE_GRACE replace every caged test's limits
# and `ctest --timeout T` those of tests without a TIMEOUT property, with
# CTest's TIMEOUT raised to match (TestCageCTest.cmake). Tests that ctest itself adds at
# test time through TEST_INCLUDE_FILES (gtest_discover_tests and the like)
# are not seen by add_test() and stay uncaged; testcage_discover_tests()
# cases cage themselves.
include_guard(GLOBAL)

if(EXISTS "${CMAKE_CURRENT_LIST_DIR}/TestCagePaths.cmake")
  include("${CMAKE_CURRENT_LIST_DIR}/TestCagePaths.cmake") # sets _testcage_default_cli
endif()
if(NOT _testcage_default_cli)
  find_program(_testcage_default_cli testcage)
endif()
set(TESTCAGE_EXECUTABLE "${_testcage_default_cli}" CACHE FILEPATH "The testcage CLI")
if(NOT TESTCAGE_EXECUTABLE OR NOT EXISTS "${TESTCAGE_EXECUTABLE}")
  message(FATAL_ERROR "TestCageCageAll: the testcage CLI was not found "
                      "(looked for '${_testcage_default_cli}'); set -DTESTCAGE_EXECUTABLE=")
endif()
set(TESTCAGE_TIMEOUT 1500 CACHE STRING "Cage limit (s) for caged tests without a TIMEOUT property")
set(TESTCAGE_GRACE 2 CACHE STRING "Cage SIGTERM -> SIGKILL delay (s)")
set(TESTCAGE_LEAKS "" CACHE STRING "Leak policy of caged tests: warn, fail, ignore or empty")
set_property(GLOBAL PROPERTY _TESTCAGE_CAGEALL ON)
message(STATUS "testcage: every add_test() is caged by ${TESTCAGE_EXECUTABLE}")

# A stand-in executable so a not-yet-defined target name can be resolved
# lazily: $<TARGET_FILE:$<IF:$<TARGET_EXISTS:x>,x,TestCageCageAll::cli>>.
if(NOT TARGET TestCageCageAll::cli)
  add_executable(TestCageCageAll::cli IMPORTED GLOBAL)
  set_target_properties(TestCageCageAll::cli PROPERTIES IMPORTED_LOCATION "${TESTCAGE_EXECUTABLE}")
endif()

# ctest -T memcheck would check testcage, not the tests: make it say so.
include("${CMAKE_CURRENT_LIST_DIR}/TestCage.cmake")
_testcage_ctest_hooks()

# The program of a test command, as testcage must see it (a path or a name
# to search in PATH, never a bare target name).
function(_testcage_cageall_program out cmd)
  if(TARGET "${cmd}")
    get_target_property(type "${cmd}" TYPE)
    if(type STREQUAL "EXECUTABLE")
      set(${out} "$<TARGET_FILE:${cmd}>" PARENT_SCOPE)
      return()
    endif()
  elseif(cmd MATCHES "^[A-Za-z0-9_.+-]+(::[A-Za-z0-9_.+-]+)*$")
    # Maybe a target defined later in the project (add_test resolves target
    # names at generate time): decide then.
    set(${out} "$<IF:$<TARGET_EXISTS:${cmd}>,$<TARGET_FILE:$<IF:$<TARGET_EXISTS:${cmd}>,${cmd},TestCageCageAll::cli>>,${cmd}>"
        PARENT_SCOPE)
    return()
  endif()
  set(${out} "${cmd}" PARENT_SCOPE)
endfunction()

function(_testcage_cageall_is_cli out cmd)
  set(${out} FALSE PARENT_SCOPE)
  if(cmd STREQUAL TESTCAGE_EXECUTABLE OR cmd MATCHES "^\\$<TARGET_FILE:(TestCage::cli|testcage_cli)>$"
     OR cmd STREQUAL "TestCage::cli" OR cmd STREQUAL "testcage_cli")
    set(${out} TRUE PARENT_SCOPE)
  endif()
endfunction()

function(add_test)
  # Collect the arguments one by one: keeps empty ones and escapes ';'.
  set(args)
  if(ARGC GREATER 0)
    math(EXPR last "${ARGC} - 1")
    foreach(i RANGE ${last})
      string(REPLACE ";" "\\;" a "${ARGV${i}}")
      list(APPEND args "${a}")
    endforeach()
  endif()

  if(ARGC GREATER 0 AND ARGV0 STREQUAL "NAME")
    # add_test(NAME n COMMAND cmd args... [CONFIGURATIONS ...]
    #          [WORKING_DIRECTORY d] [COMMAND_EXPAND_LISTS])
    set(name "")
    set(command)
    set(rest)
    set(where "")
    foreach(a IN LISTS args)
      if(a MATCHES "^(NAME|COMMAND|CONFIGURATIONS|WORKING_DIRECTORY|COMMAND_EXPAND_LISTS)$")
        set(where "${a}")
        if(a STREQUAL "COMMAND")
          continue()
        endif()
        if(NOT a STREQUAL "NAME")
          list(APPEND rest "${a}")
        endif()
        if(a STREQUAL "COMMAND_EXPAND_LISTS")
          set(where "")
        endif()
        continue()
      endif()
      if(where STREQUAL "NAME")
        set(name "${a}")
      elseif(where STREQUAL "COMMAND")
        string(REPLACE ";" "\\;" a "${a}")
        list(APPEND command "${a}")
      else()
        string(REPLACE ";" "\\;" a "${a}")
        list(APPEND rest "${a}")
      endif()
    endforeach()
  else()
    # Old form: add_test(<name> <exe> <args>...), same meaning as the NAME
    # form except that it evaluates no generator expressions.
    list(POP_FRONT args name)
    set(command ${args})
    set(rest)
  endif()

  list(LENGTH command n)
  if(n EQUAL 0)
    _add_test(${ARGV}) # let the builtin report the error
    return()
  endif()
  list(GET command 0 cmd)
  _testcage_cageall_is_cli(is_cli "${cmd}")
  if(is_cli)
    _add_test(NAME "${name}" COMMAND ${command} ${rest}) # already caged
    return()
  endif()
  list(POP_FRONT command cmd)
  _testcage_cageall_program(program "${cmd}")
  _testcage_ctest_hooks() # this directory's test file applies the caller's limits
  _add_test(NAME "${name}" COMMAND "${TESTCAGE_EXECUTABLE}" -- "${program}" ${command} ${rest})

  set_property(DIRECTORY APPEND PROPERTY _TESTCAGE_CAGED_TESTS "${name}")
  get_property(scheduled DIRECTORY PROPERTY _TESTCAGE_FINALIZE_SCHEDULED)
  if(NOT scheduled)
    set_property(DIRECTORY PROPERTY _TESTCAGE_FINALIZE_SCHEDULED ON)
    cmake_language(DEFER CALL _testcage_cageall_finalize)
  endif()
endfunction()

# At the end of each directory, when the project has set its own test
# properties: turn each test's TIMEOUT into the cage limit and raise CTest's.
function(_testcage_cageall_finalize)
  get_property(tests DIRECTORY PROPERTY _TESTCAGE_CAGED_TESTS)
  foreach(t IN LISTS tests)
    get_test_property("${t}" TIMEOUT limit)
    set(origin own)
    if(NOT limit OR limit STREQUAL "NOTFOUND")
      set(limit "${TESTCAGE_TIMEOUT}")
      set(origin default)
    endif()
    _testcage_ctest_timeout(ctest_timeout "${limit}" "${TESTCAGE_GRACE}")
    if(ctest_timeout)
      set_tests_properties("${t}" PROPERTIES TIMEOUT "${ctest_timeout}")
    endif()
    set(env "TESTCAGE_TIMEOUT=${limit}" "TESTCAGE_GRACE=${TESTCAGE_GRACE}")
    if(NOT TESTCAGE_LEAKS STREQUAL "")
      _testcage_check_leaks("${TESTCAGE_LEAKS}")
      list(APPEND env "TESTCAGE_LEAKS=${TESTCAGE_LEAKS}")
    endif()
    set_property(TEST "${t}" APPEND PROPERTY ENVIRONMENT ${env})
    # The caller's TESTCAGE_TIMEOUT / ctest --timeout apply when ctest runs.
    set_tests_properties("${t}" PROPERTIES TESTCAGE_LIMITS "${origin}:${limit}:${TESTCAGE_GRACE}")
  endforeach()
endfunction()
