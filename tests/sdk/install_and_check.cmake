# cmake -DBUILD_DIR=... -DPREFIX=... -P install_and_check.cmake
# Installs the build into a fresh prefix and checks what a third party relies on.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}): ${err}")
endif()

foreach(f bin/vram lib/libvram_framework.so lib/libvram_hub.so include/vram/plugin_api.hpp include/vram/registrar.hpp
          include/vram/component.hpp include/vram/version.hpp include/vram/export.hpp
          lib/cmake/vram/vramConfig.cmake lib/cmake/vram/vramConfigVersion.cmake
          lib/cmake/vram/vramTargets.cmake lib/cmake/vram/vramPluginHelpers.cmake
          share/vram/presets/models/llama-2-7b.yaml)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "installed tree lacks ${f}")
  endif()
endforeach()
# The SDK is the plugin-facing headers only: the host's internals are not installed.
foreach(f include/vram/estimate.hpp include/vram/expression.hpp include/vram/registry.hpp include/vram/hub.hpp
          include/vram/report.hpp include/vram/plugin_loader.hpp)
  if(EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "installed tree exposes the internal header ${f}")
  endif()
endforeach()
file(GLOB plugins "${PREFIX}/lib/vram/plugins/*.so")
if(NOT plugins)
  message(FATAL_ERROR "installed tree has no first-party plugins in lib/vram/plugins")
endif()

# The package must not make consumers find the framework's private dependencies.
file(GLOB target_files "${PREFIX}/lib/cmake/vram/vramTargets*.cmake")
foreach(f ${target_files})
  file(STRINGS "${f}" lines)
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "(Boost|yaml-cpp|yaml_cpp|spdlog|fmt::|CURL)")
      continue()
    endif()
    # CMake always records a SHARED library's private shared dependencies as an rpath-link hint
    # (IMPORTED_LINK_DEPENDENT_LIBRARIES); names that are not targets in the consumer are
    # ignored, which the example builds below prove (they never find Boost, yaml-cpp or spdlog).
    # Anything else (INTERFACE_LINK_LIBRARIES, find_dependency) would force them on plugin authors.
    if(NOT line MATCHES "^ *IMPORTED_LINK_DEPENDENT_LIBRARIES")
      message(FATAL_ERROR "${f}: '${line}' mentions ${CMAKE_MATCH_1}: a private dependency leaks to plugin authors")
    endif()
  endforeach()
endforeach()
file(READ "${PREFIX}/lib/cmake/vram/vramConfigVersion.cmake" version_text)
# SameMinorVersion (docs/plugin-abi.md): the generated file compares the minor version too.
string(FIND "${version_text}" "PACKAGE_FIND_VERSION_MINOR STREQUAL CVF_VERSION_MINOR" same_minor)
if(same_minor EQUAL -1)
  message(FATAL_ERROR "vramConfigVersion.cmake does not implement SameMinorVersion")
endif()

# The installed host finds its plugins and presets relative to itself: no environment help,
# run from an unrelated directory.
execute_process(COMMAND "${CMAKE_COMMAND}" -E env --unset=LD_LIBRARY_PATH --unset=VRAM_PLUGIN_PATH
                        --unset=VRAM_PRESET_DIR "${PREFIX}/bin/vram" plugins --format json
                WORKING_DIRECTORY "${PREFIX}/.."
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\"path\": \"${PREFIX}/lib/vram/plugins/")
  message(FATAL_ERROR "installed vram did not load its plugins from ${PREFIX}/lib/vram/plugins (rc ${rc}): ${out} ${err}")
endif()
if(out MATCHES "\"failed\": \\[\n *{")
  message(FATAL_ERROR "installed vram failed to load some of its own plugins: ${out}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E env --unset=LD_LIBRARY_PATH --unset=VRAM_PRESET_DIR
                        "${PREFIX}/bin/vram" inspect llama-2-7b --format json
                WORKING_DIRECTORY "${PREFIX}/.."
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
# Llama-2-7B: 6,738,415,616 parameters (share/vram/presets/models/llama-2-7b.yaml).
if(NOT rc EQUAL 0 OR NOT out MATCHES "\"parameters\": 6738415616")
  message(FATAL_ERROR "installed vram did not find share/vram/presets (rc ${rc}): ${out} ${err}")
endif()
# The hub client is a library of its own, loaded for hub models only (issue 16): offline with an
# empty cache, the installed vram must get as far as the hub's own "not in the cache" line,
# which only libvram_hub.so says, rather than "hub support is unavailable".
execute_process(COMMAND "${CMAKE_COMMAND}" -E env --unset=LD_LIBRARY_PATH HF_HUB_OFFLINE=1
                        "HF_HUB_CACHE=${PREFIX}/empty-hub-cache" "${PREFIX}/bin/vram" inspect hf:acme/none
                WORKING_DIRECTORY "${PREFIX}/.."
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "offline \\(HF_HUB_OFFLINE\\) and not in the cache")
  message(FATAL_ERROR "installed vram did not load its lib/libvram_hub.so (rc ${rc}): ${out} ${err}")
endif()
# Relocatable: a copy of the prefix elsewhere still finds its own library, plugins and presets
# ($ORIGIN RPATHs, paths relative to the executable).
set(moved "${PREFIX}-moved")
file(REMOVE_RECURSE "${moved}")
file(COPY "${PREFIX}/" DESTINATION "${moved}")
execute_process(COMMAND "${CMAKE_COMMAND}" -E env --unset=LD_LIBRARY_PATH --unset=VRAM_PLUGIN_PATH
                        --unset=VRAM_PRESET_DIR "${moved}/bin/vram" plugins --format json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\"path\": \"${moved}/lib/vram/plugins/" OR out MATCHES "\"path\": \"${PREFIX}/")
  message(FATAL_ERROR "a moved copy of the prefix does not use its own plugins (rc ${rc}): ${out} ${err}")
endif()
file(REMOVE_RECURSE "${moved}")

message(STATUS "installed to ${PREFIX}: bin, lib, lib/vram/plugins, include/vram, lib/cmake/vram, share/vram/presets")
