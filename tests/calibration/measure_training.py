#!/usr/bin/env python3
# measure_training.py - measures the peak GPU memory of one training step of a Hugging Face model
# built from a config.json with random weights, and writes the exact setup plus the measurement
# as tests/data/measured/<name>.json, which tests/unit/tvram_training.cpp
# (issue5_measured_peaks_within_error_budget) compares with vram's estimate.
#
# Needs a CUDA GPU, torch, transformers; peft for --method lora; bitsandbytes for 8-bit/paged
# optimizers. See tests/calibration/README.md. Never edit the JSON by hand.
# SPDX-License-Identifier: Apache-2.0
import argparse
import datetime
import json
import os
import platform
import sys

import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def build_optimizer(name, params):
    if name == "adamw":
        return torch.optim.AdamW(params, lr=1e-5)
    if name == "sgd":
        return torch.optim.SGD(params, lr=1e-5)
    if name == "sgd-momentum":
        return torch.optim.SGD(params, lr=1e-5, momentum=0.9)
    if name == "adafactor":
        return torch.optim.Adafactor(params, lr=1e-5)
    import bitsandbytes as bnb  # 8-bit, paged and Lion variants

    table = {
        "adamw-8bit": bnb.optim.AdamW8bit,
        "paged-adamw": bnb.optim.PagedAdamW,
        "paged-adamw-8bit": bnb.optim.PagedAdamW8bit,
        "lion": bnb.optim.Lion,
    }
    if name not in table:
        sys.exit(f"--optimizer {name}: allowed adamw, adamw-8bit, paged-adamw, paged-adamw-8bit, sgd, "
                 "sgd-momentum, adafactor, lion")
    return table[name](params, lr=1e-5)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--config", required=True, help="path to a Hugging Face config.json")
    ap.add_argument("--name", required=True, help="output file stem under --out-dir")
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "..", "data", "measured"))
    ap.add_argument("--weights", choices=DTYPES, default="bf16", help="dtype the model is stored in")
    ap.add_argument("--mixed-precision", choices=["none", "bf16", "fp16"], default="none",
                    help="torch.autocast dtype (AMP); none = no autocast")
    ap.add_argument("--optimizer", default="adamw")
    ap.add_argument("--batch-size", type=int, default=1)
    ap.add_argument("--sequence-length", type=int, default=1024)
    ap.add_argument("--gradient-checkpointing", choices=["none", "full"], default="none")
    ap.add_argument("--attn", choices=["sdpa", "eager", "flash_attention_2"], default="sdpa")
    ap.add_argument("--method", choices=["full", "lora"], default="full")
    ap.add_argument("--lora-rank", type=int, default=16)
    ap.add_argument("--lora-targets", default="q_proj,k_proj,v_proj,o_proj")
    ap.add_argument("--steps", type=int, default=3, help="training steps; the peak is over all of them")
    args = ap.parse_args()

    if not torch.cuda.is_available():
        sys.exit("no CUDA device: this harness measures real GPU memory and must run on a GPU")
    with open(args.config) as f:
        config_dict = json.load(f)
    config = AutoConfig.for_model(**config_dict)
    config._attn_implementation = args.attn
    dev = torch.device("cuda")
    torch.manual_seed(0)

    model = AutoModelForCausalLM.from_config(config, torch_dtype=DTYPES[args.weights], attn_implementation=args.attn)
    model.to(dev)
    if args.method == "lora":
        from peft import LoraConfig, get_peft_model

        model = get_peft_model(model, LoraConfig(r=args.lora_rank, lora_alpha=2 * args.lora_rank,
                                                 target_modules=args.lora_targets.split(","), lora_dropout=0.0))
    if args.gradient_checkpointing == "full":
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if args.method == "lora":
            model.enable_input_require_grads()
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = build_optimizer(args.optimizer, trainable)
    torch.cuda.synchronize()
    after_load = torch.cuda.memory_allocated()

    torch.cuda.reset_peak_memory_stats()
    ids = torch.randint(0, config.vocab_size, (args.batch_size, args.sequence_length), device=dev)
    amp = args.mixed_precision != "none"
    for _ in range(args.steps):
        with torch.autocast("cuda", dtype=DTYPES.get(args.mixed_precision, torch.bfloat16), enabled=amp):
            loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    torch.cuda.synchronize()

    free, total = torch.cuda.mem_get_info()
    scenario = {
        "name": args.name,
        "model": {"architecture": config_dict},
        "precision": {"weights": args.weights},
        "workload": {"type": "training", "batch_size": args.batch_size, "sequence_length": args.sequence_length},
        "training": {
            "method": args.method,
            "objective": "pretrain",
            "optimizer": args.optimizer,
            "mixed_precision": args.mixed_precision,
            "gradient_checkpointing": args.gradient_checkpointing,
            "flash_attention": args.attn != "eager",
        },
        "hardware": {"memory_gib": round(total / 2**30, 3)},
        "runtime": {"engine": "hf", "attention_implementation": args.attn},
    }
    if args.method == "full":
        scenario["training"]["full"] = {"convention": "hf"}
    else:
        scenario["training"]["lora"] = {"rank": args.lora_rank, "alpha": 2 * args.lora_rank,
                                        "targets": args.lora_targets.split(",")}
    out = {
        "schema": 1,
        "scenario": scenario,
        "measured": {
            "max_memory_allocated": torch.cuda.max_memory_allocated(),
            "max_memory_reserved": torch.cuda.max_memory_reserved(),
            "allocated_after_load": after_load,
            "device_used_at_end": total - free,
        },
        "setup": {
            "gpu": torch.cuda.get_device_name(0),
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "transformers": transformers.__version__,
            "python": platform.python_version(),
            "steps": args.steps,
            "command": " ".join(sys.argv),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "note": "torch.cuda.max_memory_allocated does not see bitsandbytes paged (unified) memory",
        },
    }
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, args.name + ".json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"{path}: peak allocated {out['measured']['max_memory_allocated']} B, "
          f"reserved {out['measured']['max_memory_reserved']} B")


if __name__ == "__main__":
    main()
