# vram_target_warnings(<target>): the project's warning set (internal, not installed).
# VRAM_WERROR=ON adds -Werror to it; scripts/test.sh turns it on when CI is set, so CI is
# warning-free by construction. The sanitizer and fuzz builds (scripts/test-sanitizers.sh,
# scripts/test-fuzz.sh) configure it OFF on purpose: see the comments there.
option(VRAM_WERROR "Treat the project's warnings as errors (on in CI through scripts/test.sh)" OFF)

function(vram_target_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow)
    if(VRAM_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
