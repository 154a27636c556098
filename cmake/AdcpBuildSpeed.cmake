# Build speed: precompiled headers and unity builds, each behind its own switch, both off unless asked for
# (scripts/test.sh turns them on for the Clang build; docs/ci.md says why not yet for the GCC Release build).
#
# ADCP_PCH          one precompiled header of the heavy headers every file pays for (nlohmann/json, the C++
#                   library, QtCore), built once by adcp_pch_core and reused by the libraries, the tests, the
#                   benchmarks and the fuzzers; the seller and the views have their own, with QtSql and QtWidgets.
# ADCP_UNITY_BUILD  the four libraries compile in batches of ADCP_UNITY_BATCH_SIZE files. Tests and benchmarks are
#                   one file per executable, so unity does nothing for them. If a merge brings two files whose
#                   file-local helpers share a name into one batch, either add the name to
#                   ADCP_UNITY_FILE_LOCAL_NAMES below or configure with -DADCP_UNITY_BUILD=OFF.
option(ADCP_PCH "Precompile the heavy common headers" OFF)
option(ADCP_UNITY_BUILD "Compile the libraries as unity batches" OFF)
set(ADCP_UNITY_BATCH_SIZE 8 CACHE STRING "Source files per unity batch")

# The headers of the shared precompiled header. Only third-party and standard headers: a project header here
# would make every file depend on it.
set(ADCP_PCH_CORE_HEADERS
    <nlohmann/json.hpp>
    <algorithm> <functional> <map> <memory> <optional> <set> <string> <string_view> <utility> <vector>
    <QByteArray> <QDateTime> <QHash> <QList> <QObject> <QPointer> <QString> <QStringList> <QTimer> <QUrl>)

if(ADCP_PCH)
    # A precompiled header that a target cannot use (different flags after a merge) must cost speed, not the
    # build: GCC reports that as -Winvalid-pch, which -Werror would turn into an error.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        target_compile_options(adcp_build_settings INTERFACE -Wno-error=invalid-pch)
    endif()
    # ccache caches files built with a precompiled header only with these sloppiness settings (and, for GCC's
    # preprocessor mode, -fpch-preprocess). Passed per compiler call so the shared ccache configuration is untouched.
    if(CMAKE_CXX_COMPILER_LAUNCHER MATCHES "ccache")
        set(CMAKE_CXX_COMPILER_LAUNCHER
            env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
            ${CMAKE_CXX_COMPILER_LAUNCHER})
        if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
            target_compile_options(adcp_build_settings INTERFACE -fpch-preprocess)
        endif()
    endif()
    # The donor of the shared precompiled header: an object library with the link set every user of it has
    # (QtCore, nlohmann/json, the project settings), so that its macros are a subset of theirs (Clang refuses a
    # precompiled header whose macros the using file lacks).
    add_library(adcp_pch_core OBJECT ${PROJECT_SOURCE_DIR}/cmake/pchdonor.cpp)
    target_link_libraries(adcp_pch_core PRIVATE Qt6::Core nlohmann_json::nlohmann_json adcp_build_settings)
    set_target_properties(adcp_pch_core PROPERTIES AUTOMOC OFF)
    target_precompile_headers(adcp_pch_core PRIVATE ${ADCP_PCH_CORE_HEADERS})
endif()

# Names that several library files define as file-local helpers (anonymous namespace or static) with the same
# signature. In a unity batch they would be redefinitions; before each file of a batch they are renamed to
# <name>_<per-file id> by a macro, after it the macro is undefined, so no source file has to change. Only names
# that appear in no header may be listed (a header first included inside a batch would be renamed too).
set(ADCP_UNITY_FILE_LOCAL_NAMES
    iso parseTime optionalText alignDown makeError entryField kColumns ThreadConnections t_connections
    stringMember fromRow encodeCursor decodeCursor setError)

# adcp_speed_up_library(<target> [UNITY] [PCH <header>...]): unity batches (when UNITY and ADCP_UNITY_BUILD) and a
# precompiled header (its own when PCH headers are given, else the shared one; when ADCP_PCH).
function(adcp_speed_up_library target)
    cmake_parse_arguments(S "UNITY" "" "PCH" ${ARGN})
    if(S_UNITY AND ADCP_UNITY_BUILD)
        set(before "#define ADCP_UNITY_CAT2(a, b) a##_##b\n#define ADCP_UNITY_CAT(a, b) ADCP_UNITY_CAT2(a, b)")
        set(after "")
        foreach(name IN LISTS ADCP_UNITY_FILE_LOCAL_NAMES)
            string(APPEND before "\n#define ${name} ADCP_UNITY_CAT(${name}, ADCP_UNITY_ID)")
            string(APPEND after "#undef ${name}\n")
        endforeach()
        set_target_properties(${target} PROPERTIES
            UNITY_BUILD ON
            UNITY_BUILD_BATCH_SIZE ${ADCP_UNITY_BATCH_SIZE}
            UNITY_BUILD_UNIQUE_ID ADCP_UNITY_ID
            UNITY_BUILD_CODE_BEFORE_INCLUDE "${before}"
            UNITY_BUILD_CODE_AFTER_INCLUDE "${after}")
    endif()
    if(ADCP_PCH)
        if(S_PCH)
            target_precompile_headers(${target} PRIVATE ${ADCP_PCH_CORE_HEADERS} ${S_PCH})
        else()
            target_precompile_headers(${target} REUSE_FROM adcp_pch_core)
        endif()
    endif()
endfunction()

# adcp_reuse_pch(<target>...): the executables among them (tests, benchmarks, fuzzers) use the shared
# precompiled header; other kinds of targets are left alone.
function(adcp_reuse_pch)
    if(ADCP_PCH)
        foreach(target IN LISTS ARGN)
            get_target_property(type ${target} TYPE)
            if(type STREQUAL "EXECUTABLE")
                target_precompile_headers(${target} REUSE_FROM adcp_pch_core)
            endif()
        endforeach()
    endif()
endfunction()
