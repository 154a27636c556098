# The allocator of every executable the project links: mimalloc (Debian libmimalloc-dev) in place of glibc's malloc.
#
# Why: a profile of --serve under get_products load had the allocator at ~16 % of the process's samples (the JSON
# trees of a brief's proposals, Asio's handlers, Qt's strings). Measured side by side with LD_PRELOAD, five
# alternating runs (docs/seller-load.md): CPU per brief 216–302 µs against 281–374 µs with glibc.
#
# How: the library is put on the link line as a needed library of the executable itself (never dropped by
# --as-needed: nothing calls it by name), ahead of the C library, so the dynamic linker resolves malloc, free and
# operator new's calls to it for the whole process, Qt's libraries included. Sanitizer builds keep their own
# allocator (AddressSanitizer intercepts malloc). Without the package, or with -DADCP_MIMALLOC=OFF, glibc's
# malloc stays, and everything works the same, only slower.
option(ADCP_MIMALLOC "Link mimalloc as the process allocator (ignored with sanitizers)" ON)

set(ADCP_ALLOCATOR "glibc malloc")
set(ADCP_USES_MIMALLOC OFF)
if(ADCP_MIMALLOC AND NOT adcp_sanitizers)
    find_library(ADCP_MIMALLOC_LIBRARY NAMES mimalloc)
    if(ADCP_MIMALLOC_LIBRARY)
        target_link_options(adcp_build_settings INTERFACE
            "SHELL:-Wl,--push-state,--no-as-needed ${ADCP_MIMALLOC_LIBRARY} -Wl,--pop-state")
        set(ADCP_ALLOCATOR "mimalloc (${ADCP_MIMALLOC_LIBRARY})")
        set(ADCP_USES_MIMALLOC ON)
    else()
        message(WARNING "libmimalloc-dev is not installed: glibc's malloc is used (scripts/setup.sh installs it)")
    endif()
endif()
message(STATUS "Allocator: ${ADCP_ALLOCATOR}")
