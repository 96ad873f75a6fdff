# vram_abi_fingerprint(<out-var> <sdk-dir>)
# SHA-256 over the plugin-facing headers (names and contents, sorted by name). A plugin carries
# the fingerprint of the headers it was compiled against; the host refuses any other
# (docs/plugin-abi.md). Generated headers (version.hpp, export.hpp) follow from version.hpp.in
# and the compiler, so hashing their sources suffices.
function(vram_abi_fingerprint out sdk_dir)
  get_filename_component(sdk_dir "${sdk_dir}" ABSOLUTE)
  file(GLOB headers RELATIVE ${sdk_dir} ${sdk_dir}/vram/*.hpp ${sdk_dir}/vram/*.hpp.in)
  list(SORT headers)
  set(text "")
  foreach(h ${headers})
    file(SHA256 ${sdk_dir}/${h} sum)
    string(APPEND text "${h} ${sum}\n")
  endforeach()
  string(SHA256 fingerprint "${text}")
  set(${out} ${fingerprint} PARENT_SCOPE)
endfunction()

# vram_plugin_api_version(<out-var> <sdk-dir>): the number VRAM_PLUGIN_API_VERSION in plugin_api.hpp.
function(vram_plugin_api_version out sdk_dir)
  file(STRINGS ${sdk_dir}/vram/plugin_api.hpp line REGEX "^#define VRAM_PLUGIN_API_VERSION ")
  string(REGEX REPLACE "^#define VRAM_PLUGIN_API_VERSION ([0-9]+)u?.*$" "\\1" version "${line}")
  set(${out} ${version} PARENT_SCOPE)
endfunction()
