# ccache as the compiler launcher when found (DATAOPT_USE_CCACHE). The
# settings travel with each compile command (an environment variable set at
# configure time would not reach the build):
# - sloppiness lets ccache reuse objects built with the precompiled header;
# - base_dir makes paths relative, so a fresh clone elsewhere (CI) hits the
#   cache filled by an earlier build.
if(DATAOPT_USE_CCACHE)
  find_program(DATAOPT_CCACHE ccache)
  if(DATAOPT_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER
        ${CMAKE_COMMAND} -E env
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}"
        ${DATAOPT_CCACHE})
    message(STATUS "dataopt: using ccache ${DATAOPT_CCACHE}")
  endif()
endif()
