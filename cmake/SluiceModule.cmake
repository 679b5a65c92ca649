# Helpers that give every module the same shape: one library, warnings as errors, its unit tests.

set(SLUICE_WARNINGS -Wall -Wextra -Werror)

# sluice_module(NAME SOURCES ... DEPS ...): a library `sluice_NAME` with include root `src/`.
function(sluice_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(sluice_${name} STATIC ${ARG_SOURCES})
  target_include_directories(sluice_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(sluice_${name} PRIVATE ${SLUICE_WARNINGS})
  target_link_libraries(sluice_${name} PUBLIC ${ARG_DEPS})
endfunction()

# sluice_test(NAME SOURCES ... DEPS ...): a GoogleTest program registered with ctest.
function(sluice_test name)
  if(SLUICE_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${SLUICE_WARNINGS})
  target_compile_definitions(${name} PRIVATE
    SLUICE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()
