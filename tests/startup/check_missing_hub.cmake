# cmake -DVRAM=bin/vram -DFRAMEWORK=lib/libvram_framework.so.X -DWORK=dir -P check_missing_hub.cmake
# Issue 16: a hub model with libvram_hub.so missing, or not a loadable library, is one error line
# (exit 1) that names the library; nothing else needs it, so a preset still runs.
# A copy of the host and the framework in WORK/{bin,lib} without the hub library; LD_LIBRARY_PATH
# takes precedence over the build tree's RUNPATH, so the copied framework is the one loaded.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/bin" "${WORK}/lib")
file(COPY "${VRAM}" DESTINATION "${WORK}/bin")
get_filename_component(vram_name "${VRAM}" NAME)
get_filename_component(framework_dir "${FRAMEWORK}" DIRECTORY)
file(GLOB framework_files "${framework_dir}/libvram_framework.so*")
file(COPY ${framework_files} DESTINATION "${WORK}/lib")

function(expect_one_line what pattern)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${WORK}/lib" HF_HUB_OFFLINE=1
                          "HF_HUB_CACHE=${WORK}/cache" "${WORK}/bin/${vram_name}" inspect hf:acme/none
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(REGEX MATCHALL "\n" lines "${err}")
  list(LENGTH lines count)
  if(NOT rc EQUAL 1 OR NOT out STREQUAL "" OR NOT count EQUAL 1 OR NOT err MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: expected exit 1 and one line matching '${pattern}', got ${rc}: ${out}${err}")
  endif()
  message(STATUS "${what}: ${err}")
endfunction()

expect_one_line("no libvram_hub.so" "^vram: error: hub support is unavailable: no libvram_hub\\.so in ${WORK}/lib;")
file(WRITE "${WORK}/lib/libvram_hub.so" "not a shared library\n")
expect_one_line("a broken libvram_hub.so" "^vram: error: hub support is unavailable: cannot load ${WORK}/lib/libvram_hub\\.so \\(")

# Without the hub library everything else still works: the framework does not need it to start.
execute_process(COMMAND "${CMAKE_COMMAND}" -E env "LD_LIBRARY_PATH=${WORK}/lib" "${WORK}/bin/${vram_name}" --version
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^vram ")
  message(FATAL_ERROR "vram --version without libvram_hub.so failed (${rc}): ${out}${err}")
endif()
file(REMOVE_RECURSE "${WORK}")
