# TestCageMemcheck.cmake - stops `ctest -T memcheck` in projects whose tests run under testcage.
# Run by CTest as the CTEST_CUSTOM_PRE_MEMCHECK hook that TestCage.cmake writes.
message(FATAL_ERROR
  "testcage: `ctest -T memcheck` is not supported for caged tests.\n"
  "  CTest would run valgrind on the testcage runner, not on your test, and report\n"
  "  nothing about your code. Run valgrind inside the cage on the test itself:\n"
  "    - testcage_add_test(... VALGRIND)            (CMake)\n"
  "    - TESTCAGE_VALGRIND=1 ctest                   (every caged test, no reconfigure)\n"
  "    - testcage --valgrind -- prog / <suite> --valgrind\n"
  "  Memory errors then fail the test and its output shows valgrind's report.\n"
  "  To run ctest -T memcheck anyway, configure with -DTESTCAGE_ALLOW_CTEST_MEMCHECK=ON.")
