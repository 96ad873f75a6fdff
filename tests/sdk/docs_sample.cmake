# cmake -DDOC=docs/writing-a-plugin.md -DOUT=dir -DPREFIX=... -DGENERATOR=... -DMAKE_PROGRAM=... -P docs_sample.cmake
# The plugin sample of docs/writing-a-plugin.md, compiled as printed: every fenced block that
# follows a `<!-- docs-sample: FILE -->` line is written to OUT/FILE, the folder is built against
# the installed SDK (C++17, -Werror), and the installed vram must list the sample's component.
cmake_minimum_required(VERSION 3.25)
file(READ "${DOC}" text)
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
set(count 0)
set(rest "${text}")
while(TRUE)
  string(FIND "${rest}" "<!-- docs-sample: " at)
  if(at EQUAL -1)
    break()
  endif()
  math(EXPR at "${at} + 18")
  string(SUBSTRING "${rest}" ${at} -1 rest)
  string(FIND "${rest}" " -->" end)
  string(SUBSTRING "${rest}" 0 ${end} name)
  string(FIND "${rest}" "```" fence)
  string(SUBSTRING "${rest}" ${fence} -1 rest)
  string(FIND "${rest}" "\n" eol)
  math(EXPR eol "${eol} + 1")
  string(SUBSTRING "${rest}" ${eol} -1 rest)
  string(FIND "${rest}" "\n```" close)
  math(EXPR close "${close} + 1")
  string(SUBSTRING "${rest}" 0 ${close} body)
  string(SUBSTRING "${rest}" ${close} -1 rest)
  file(WRITE "${OUT}/${name}" "${body}")
  math(EXPR count "${count} + 1")
  message(STATUS "extracted ${name} from ${DOC}")
endwhile()
if(count LESS 2)
  message(FATAL_ERROR "${DOC} has ${count} docs-sample blocks; expected the CMakeLists.txt and the plugin source")
endif()
execute_process(COMMAND "${CMAKE_CTEST_COMMAND}" --build-and-test "${OUT}" "${OUT}/build"
                        --build-generator "${GENERATOR}" --build-makeprogram "${MAKE_PROGRAM}"
                        --build-options "-DCMAKE_PREFIX_PATH=${PREFIX}" -DCMAKE_BUILD_TYPE=Release
                                        -DCMAKE_CXX_STANDARD=17 -DCMAKE_CXX_STANDARD_REQUIRED=ON
                                        "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Wpedantic -Wshadow -Werror"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the sample of ${DOC} does not build as printed (${rc}):\n${out}\n${err}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E env --unset=LD_LIBRARY_PATH --unset=VRAM_PLUGIN_PATH
                        "${PREFIX}/bin/vram" plugins --plugin-dir "${OUT}/build" --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "the installed vram does not list ${EXPECT} from the docs sample (${rc}):\n${out}\n${err}")
endif()
message(STATUS "the sample of ${DOC} builds against the installed SDK and loads")
