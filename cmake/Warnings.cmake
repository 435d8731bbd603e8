# One set of warning flags for every target: targets that reuse the shared
# precompiled header must be compiled with identical flags.
add_library(dataopt_warnings INTERFACE)
target_compile_options(dataopt_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter
  # Options structs are built with C++20 designated initialisers that name
  # only the fields they change.
  -Wno-missing-field-initializers)
if(DATAOPT_WERROR)
  target_compile_options(dataopt_warnings INTERFACE -Werror)
endif()
