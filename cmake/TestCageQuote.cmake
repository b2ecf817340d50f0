# TestCageQuote.cmake - quoting shared by TestCage.cmake and the discovery
# script it runs: a value as a CMake bracket argument that survives any content.
include_guard(GLOBAL)

function(_testcage_bracket out value)
  set(eq "=")
  while(value MATCHES "]${eq}]")
    string(APPEND eq "=")
  endwhile()
  set(${out} "[${eq}[${value}]${eq}]" PARENT_SCOPE)
endfunction()
