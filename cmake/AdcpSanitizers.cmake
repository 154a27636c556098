# Sanitizers and fuzzing instrumentation, applied to every target through adcp_build_settings.
#
# ADCP_SANITIZE  AddressSanitizer + UndefinedBehaviorSanitizer; any UB report aborts the test (no recovery).
# ADCP_FUZZ      Clang only: every file is compiled with libFuzzer's coverage instrumentation
#                (-fsanitize=fuzzer-no-link) and the harnesses in fuzz/ are linked with -fsanitize=fuzzer.
#                With ADCP_SANITIZE as well, one build serves both the sanitizer suite and the fuzzers; the
#                instrumentation costs the suite a little speed and nothing else.
option(ADCP_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(ADCP_FUZZ "Build the libFuzzer harnesses in fuzz/ (Clang)" OFF)

set(adcp_sanitizers "")
if(ADCP_SANITIZE)
    list(APPEND adcp_sanitizers address undefined)
endif()
if(ADCP_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "ADCP_FUZZ needs Clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
    endif()
    list(APPEND adcp_sanitizers fuzzer-no-link)
endif()

if(adcp_sanitizers)
    list(JOIN adcp_sanitizers "," adcp_sanitizer_list)
    target_compile_options(adcp_build_settings INTERFACE -fsanitize=${adcp_sanitizer_list} -fno-omit-frame-pointer)
    if(ADCP_SANITIZE)
        target_compile_options(adcp_build_settings INTERFACE -fno-sanitize-recover=undefined)
        target_link_options(adcp_build_settings INTERFACE -fsanitize=address,undefined)
    endif()
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        # GCC 12 reports false -Wmaybe-uninitialized inside <regex> and <optional> when instrumented.
        target_compile_options(adcp_build_settings INTERFACE -Wno-maybe-uninitialized)
    endif()
endif()
