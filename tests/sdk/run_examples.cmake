# cmake -DMODE=list|run|dora -DPREFIX=... -DDORA_DIR=... -DATTENTION_DIR=... -DSCENARIO=... -P run_examples.cmake
# Runs the INSTALLED vram (PREFIX/bin/vram) with the out-of-tree example plugins.
set(vram "${PREFIX}/bin/vram")
set(clean_env "${CMAKE_COMMAND}" -E env --unset=LD_LIBRARY_PATH --unset=VRAM_PLUGIN_PATH --unset=VRAM_PRESET_DIR)

if(MODE STREQUAL "list")
  execute_process(COMMAND ${clean_env} "${vram}" plugins --plugin-dir "${DORA_DIR}" --plugin-dir "${ATTENTION_DIR}"
                          --format json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "vram plugins exited ${rc}: ${err}")
  endif()
  foreach(expected "\"name\": \"acme_dora\", \"version\": \"1.0.0\", \"path\": \"${DORA_DIR}/acme_dora.so\""
                   "\"name\": \"acme_attention\", \"version\": \"1.0.0\", \"path\": \"${ATTENTION_DIR}/acme_attention.so\""
                   "\"name\": \"acme.method.dora\"" "\"name\": \"acme.dora.norm_buffer\""
                   "\"name\": \"acme.format.int3\"" "\"name\": \"acme.buffers.int3_dequant\"")
    string(FIND "${out}" "${expected}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "vram plugins does not list ${expected}:\n${out}")
    endif()
  endforeach()
  if(out MATCHES "\"failed\": \\[\n *{")
    message(FATAL_ERROR "some plugins failed to load:\n${out}")
  endif()
  message(STATUS "installed vram lists acme_dora and acme_attention")
elseif(MODE STREQUAL "run")
  # Before: the installed vram alone does not know the format (exit 1, one line naming it).
  execute_process(COMMAND ${clean_env} "${vram}" run "${SCENARIO}" --format json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 1 OR NOT err MATCHES "acme-int3" OR NOT out STREQUAL "")
    message(FATAL_ERROR "without the plugin, expected exit 1 naming acme-int3; got ${rc}: ${out} ${err}")
  endif()
  # After: with the out-of-tree plugin. Llama-2-7B in acme-int3, group 64 (3.5 bits per weight):
  #   Linear weights 6,476,005,376 × 3.5 / 8 = 2,833,252,352 B
  #   embeddings + lm_head + norms (262,144,000 + 266,240) × 2 B = 524,820,480 B
  #   core.weights = 3,358,072,832 B
  #   acme.buffers.int3_dequant = largest Linear (mlp 11,008 × 4,096 = 45,088,768) × 2 B = 90,177,536 B
  execute_process(COMMAND ${clean_env} "${vram}" run "${SCENARIO}" --plugin-dir "${ATTENTION_DIR}" --format json
                  WORKING_DIRECTORY "${WORK_DIR}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "vram run with acme_attention exited ${rc}: ${err}")
  endif()
  if(NOT out MATCHES "\"core.weights\",[^}]*\"bytes\": 3358072832")
    message(FATAL_ERROR "core.weights is not 3,358,072,832 B in acme-int3:\n${out}")
  endif()
  if(NOT out MATCHES "\"acme.buffers.int3_dequant\",[^}]*\"bytes\": 90177536")
    message(FATAL_ERROR "acme.buffers.int3_dequant is not 90,177,536 B:\n${out}")
  endif()
  message(STATUS "installed vram ran ${SCENARIO} with the out-of-tree acme-int3 format")
elseif(MODE STREQUAL "dora")
  # Llama-2-7B, DoRA r 16 on q_proj and v_proj (4,096 x 4,096 each, 32 layers):
  #   per matrix r (d_in + d_out) + d_out = 16 x 8,192 + 4,096 = 135,168
  #   P_trainable = 135,168 x 2 x 32 = 8,650,752  (LoRA alone: 8,388,608)
  #   acme.dora.norm_buffer = 2 x (4,096 x 4,096) x 4 B = 134,217,728 B
  execute_process(COMMAND ${clean_env} "${vram}" run "${SCENARIO}" --plugin-dir "${DORA_DIR}" --format json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 AND err MATCHES "unknown [a-z ]*'(sft|adamw)'")
    # The first-party objective / optimizer plugins are not part of this build yet.
    message(STATUS "SKIPPED: the installed vram has no sft objective or adamw optimizer: ${err}")
    return()
  endif()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "vram run with acme_dora exited ${rc}: ${err}")
  endif()
  if(NOT out MATCHES "\"trainable_parameters\": 8650752")
    message(FATAL_ERROR "DoRA trainable parameters are not 8,650,752:\n${out}")
  endif()
  if(NOT out MATCHES "\"acme.dora.norm_buffer\",[^}]*\"bytes\": 134217728")
    message(FATAL_ERROR "acme.dora.norm_buffer is not 134,217,728 B:\n${out}")
  endif()
  # The plugin's own symbols are listed with the plugin as their origin.
  execute_process(COMMAND ${clean_env} "${vram}" symbols "${SCENARIO}" --plugin-dir "${DORA_DIR}" --format json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(FIND "${out}" "{\"name\": \"dora_rank\", \"value\": 16, \"unit\": \"\", \"meaning\": \"DoRA rank r\", \"set_by\": \"acme.method.dora\"}" at)
  if(NOT rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "vram symbols does not list dora_rank = 16 set by acme.method.dora (rc ${rc}): ${out} ${err}")
  endif()
  message(STATUS "installed vram ran ${SCENARIO} with the out-of-tree DoRA method")
else()
  message(FATAL_ERROR "MODE must be list, run or dora")
endif()
