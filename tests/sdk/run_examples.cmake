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
  foreach(expected "\"name\": \"acme_dora\", \"version\": \"2.0.0\", \"path\": \"${DORA_DIR}/acme_dora.so\""
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
  string(FIND "${out}" "{\"name\": \"dora_rank\", \"value\": 16, \"unit\": \"\", \"meaning\": \"DoRA rank r\", \"owner\": \"acme_dora\", \"set_by\": \"acme.method.dora\"}" at)
  if(NOT rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "vram symbols does not list dora_rank = 16 set by acme.method.dora (rc ${rc}): ${out} ${err}")
  endif()
  message(STATUS "installed vram ran ${SCENARIO} with the out-of-tree DoRA method")
elseif(MODE STREQUAL "parity")
  # The out-of-tree DoRA against built-in LoRA on the same scenario (parity_*.yaml: Llama-2-7B,
  # r = 8 on q_proj and v_proj, 32 layers, d_in = d_out = 4,096, fp32 adapters, bf16 base, AdamW,
  # batch 1 x 1,024 tokens, no checkpointing). Numbers worked out by hand:
  #   LoRA trainable = 64 matrices x 8 x (4,096 + 4,096)            = 4,194,304
  #   DoRA trainable = 4,194,304 + 64 magnitudes x 4,096 = + 262,144 = 4,456,448
  #   gradients fp32 (4 B/param):   16,777,216  vs 17,825,792
  #   AdamW exp_avg + exp_avg_sq (8 B/param): 33,554,432 vs 35,651,584
  #   adapter weights fp32 (4 B/param): 16,777,216 vs 17,825,792
  #   adapter activations: LoRA keeps lora_A's output, 64 x 8 = 512 elements x 2 B per token,
  #     x 1,024 tokens = 1,048,576 B; DoRA also keeps the base output and the LoRA output,
  #     2 x 4,096 more per adapted Linear: 64 x (8 + 8,192) x 2 B x 1,024 = 1,074,790,400 B
  #     (= LoRA's + 1,073,741,824 B, exactly 1 GiB)
  #   frozen weights and the base model's activations: identical.
  function(run_json scenario plugin_args out_var)
    execute_process(COMMAND ${clean_env} "${vram}" run "${scenario}" ${plugin_args} --format json
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "vram run ${scenario} exited ${rc}: ${err}")
    endif()
    set(${out_var} "${out}" PARENT_SCOPE)
  endfunction()
  function(component_bytes json id out_var)
    string(JSON n LENGTH "${json}" components)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${last})
      string(JSON name GET "${json}" components ${i} name)
      if(name STREQUAL id)
        string(JSON bytes GET "${json}" components ${i} bytes)
        set(${out_var} ${bytes} PARENT_SCOPE)
        return()
      endif()
    endforeach()
    message(FATAL_ERROR "no component '${id}' in:\n${json}")
  endfunction()
  function(expect what actual expected)
    if(NOT actual STREQUAL expected)
      message(FATAL_ERROR "${what}: ${actual}, expected ${expected}")
    endif()
    message(STATUS "${what}: ${actual} as worked out by hand")
  endfunction()
  run_json("${LORA_SCENARIO}" "" lora)
  run_json("${SCENARIO}" "--plugin-dir;${DORA_DIR}" dora)
  string(JSON lora_p GET "${lora}" training trainable_parameters)
  string(JSON dora_p GET "${dora}" training trainable_parameters)
  expect("LoRA trainable parameters" ${lora_p} 4194304)
  expect("DoRA trainable parameters" ${dora_p} 4456448)
  foreach(pair "training.gradients;16777216;17825792" "training.optimizer_states;33554432;35651584"
               "training.adapters.weights;16777216;17825792"
               "training.adapters.activations;1048576;1074790400")
    list(GET pair 0 id)
    list(GET pair 1 want_lora)
    list(GET pair 2 want_dora)
    component_bytes("${lora}" ${id} got_lora)
    component_bytes("${dora}" ${id} got_dora)
    expect("LoRA ${id}" ${got_lora} ${want_lora})
    expect("DoRA ${id}" ${got_dora} ${want_dora})
  endforeach()
  foreach(id core.weights training.activations)
    component_bytes("${lora}" ${id} got_lora)
    component_bytes("${dora}" ${id} got_dora)
    expect("DoRA ${id} equals LoRA's" ${got_dora} ${got_lora})
  endforeach()
  message(STATUS "the out-of-tree DoRA gets LoRA's treatment plus its own saved tensors")
else()
  message(FATAL_ERROR "MODE must be list, run, dora or parity")
endif()
