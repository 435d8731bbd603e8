# ccache as the compiler launcher when found (DATAOPT_USE_CCACHE).
if(DATAOPT_USE_CCACHE)
  find_program(DATAOPT_CCACHE ccache)
  if(DATAOPT_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${DATAOPT_CCACHE})
    # Needed for ccache to reuse objects built with a precompiled header.
    set(ENV{CCACHE_SLOPPINESS} "pch_defines,time_macros,include_file_mtime,include_file_ctime")
    message(STATUS "dataopt: using ccache ${DATAOPT_CCACHE}")
  endif()
endif()
