include(GoogleTest)

# dataopt_add_test(MODULE core SOURCES a.cpp b.cpp LABELS unit [LIBS extra])
# One GoogleTest binary per module, with the shared PCH, warnings and
# CTest discovery (each TEST becomes its own CTest entry with the labels).
function(dataopt_add_test)
  cmake_parse_arguments(T "" "MODULE" "SOURCES;LABELS;LIBS" ${ARGN})
  set(target test_${T_MODULE})
  add_executable(${target} ${T_SOURCES})
  target_link_libraries(${target} PRIVATE dataopt dataopt_test_support
                        GTest::gtest_main ${T_LIBS})
  dataopt_use_pch(${target})
  gtest_discover_tests(${target}
    PROPERTIES LABELS "${T_LABELS}"
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}
    DISCOVERY_TIMEOUT 60)
endfunction()
