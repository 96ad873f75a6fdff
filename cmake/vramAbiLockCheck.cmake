# cmake -DSDK_DIR=framework/sdk -P vramAbiLockCheck.cmake
# Fails when the plugin-facing headers changed but framework/sdk/abi.lock still records the old
# fingerprint: either the API version was not bumped (old plugins would load and read wrong
# offsets), or it was bumped and the lock not updated. The message says which and what to write.
include(${CMAKE_CURRENT_LIST_DIR}/vramAbiFingerprint.cmake)
vram_abi_fingerprint(fingerprint ${SDK_DIR})
vram_plugin_api_version(version ${SDK_DIR})
file(STRINGS ${SDK_DIR}/abi.lock lock REGEX "^[a-z_]+ ")
set(locked_version "")
set(locked_fingerprint "")
foreach(line ${lock})
  if(line MATCHES "^api_version ([0-9]+)$")
    set(locked_version ${CMAKE_MATCH_1})
  elseif(line MATCHES "^fingerprint ([0-9a-f]+)$")
    set(locked_fingerprint ${CMAKE_MATCH_1})
  endif()
endforeach()
if(fingerprint STREQUAL locked_fingerprint AND version STREQUAL locked_version)
  message(STATUS "plugin API v${version}, headers fingerprint ${fingerprint}: as locked")
  return()
endif()
if(NOT fingerprint STREQUAL locked_fingerprint AND version STREQUAL locked_version)
  message(FATAL_ERROR "plugin-facing headers changed (fingerprint ${fingerprint}, locked ${locked_fingerprint}) "
                      "but VRAM_PLUGIN_API_VERSION is still ${version}: bump it in framework/sdk/vram/plugin_api.hpp, "
                      "then record the new pair in framework/sdk/abi.lock")
endif()
message(FATAL_ERROR "framework/sdk/abi.lock is stale: write\n  api_version ${version}\n  fingerprint ${fingerprint}")
