# vram_add_plugin(<name> SOURCES <src>... [LINK_LIBRARIES <lib>...] [NO_INSTALL])
#
# Builds a vram plugin: a MODULE library linked to vram::framework that exports exactly one
# dynamic symbol, vram_get_plugin_info (one plugin) or vram_get_plugin_bundle (several, see
# VRAM_PLUGIN_BUNDLE in vram/plugin_api.hpp). Builds the first-party bundle and is installed for
# third parties (find_package(vram) brings it in).
function(vram_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_INSTALL" "" "SOURCES;LINK_LIBRARIES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "vram_add_plugin(${name}): SOURCES is required")
  endif()
  if(VRAM_SKIP_INCOMPLETE_PLUGINS)
    # Development aid: a plugin folder whose sources are still being written is skipped.
    foreach(src ${ARG_SOURCES})
      if(NOT IS_ABSOLUTE ${src})
        set(src ${CMAKE_CURRENT_SOURCE_DIR}/${src})
      endif()
      if(NOT EXISTS ${src} AND NOT src MATCHES "${CMAKE_BINARY_DIR}")
        message(WARNING "vram_add_plugin(${name}): ${src} does not exist yet; plugin skipped")
        return()
      endif()
    endforeach()
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE vram::framework ${ARG_LINK_LIBRARIES})
  target_compile_features(${name} PRIVATE cxx_std_17)
  set_target_properties(${name} PROPERTIES PREFIX "" CXX_VISIBILITY_PRESET hidden
                                           VISIBILITY_INLINES_HIDDEN ON)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    # Missing symbols fail at link time, not at dlopen time. (Not in clang's fuzzing build: its
    # sanitizer runtime lives in the executable, so modules reference it as undefined.)
    if(NOT VRAM_FUZZ)
      target_link_options(${name} PRIVATE LINKER:--no-undefined)
    endif()
    # Export the entry point only: hidden visibility alone still leaks inline statics of the
    # standard library (STB_GNU_UNIQUE) into the dynamic symbol table. A library defines one of
    # the two entries; GNU ld ignores the name it does not define.
    set(map ${CMAKE_CURRENT_BINARY_DIR}/${name}.exports)
    file(WRITE ${map} "{\n  global: vram_get_plugin_info; vram_get_plugin_bundle;\n  local: *;\n};\n")
    target_link_options(${name} PRIVATE LINKER:--version-script=${map})
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${map})
  endif()
  if(COMMAND vram_target_warnings)
    vram_target_warnings(${name})
  endif()
  if(DEFINED VRAM_PLUGIN_BUILD_DIR AND NOT ARG_NO_INSTALL)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${VRAM_PLUGIN_BUILD_DIR})
  endif()
  if(NOT ARG_NO_INSTALL AND DEFINED VRAM_PLUGIN_INSTALL_DIR)
    install(TARGETS ${name} LIBRARY DESTINATION ${VRAM_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
