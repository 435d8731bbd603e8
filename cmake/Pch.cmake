# One precompiled header of <torch/torch.h> shared by every target
# (library, tools, tests, benchmarks): 13 s per translation unit -> ~4 s.
add_library(dataopt_pch OBJECT ${CMAKE_CURRENT_SOURCE_DIR}/cmake/pch_anchor.cpp)
target_link_libraries(dataopt_pch PUBLIC ${TORCH_LIBRARIES} dataopt_warnings)
target_compile_options(dataopt_pch PUBLIC ${TORCH_CXX_FLAGS})
if(DATAOPT_USE_PCH)
  target_precompile_headers(dataopt_pch PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/cmake/dataopt_pch.h)
endif()

# Applies the shared PCH (and the flags it was built with) to a target.
function(dataopt_use_pch target)
  target_link_libraries(${target} PRIVATE dataopt_warnings)
  if(DATAOPT_USE_PCH)
    target_precompile_headers(${target} REUSE_FROM dataopt_pch)
  endif()
endfunction()
