// nccl_fabric.cpp - which link the tensor-parallel ranks talk over, for the NCCL memory vLLM and
// SGLang hold per peer.
// SPDX-License-Identifier: Apache-2.0
#include "serving.hpp"
#include "vram/gpu_catalog.hpp"

namespace vram::plugins {
namespace {

// NCCL sizes its buffers per channel and per peer (NCCL_BUFFSIZE, 4 MiB for the Simple protocol,
// per channel and connection) and its topology search opens as many channels as the links'
// bandwidth carries: up to 32 over NVLink / NVSwitch / xGMI, a few over PCIe. So boards that
// reach each other over PCIe only (workstation cards, PCIe data-center cards: NVLink bridges join
// pairs at most) hold what the PCIe figures show (nccl_shm_mib: 0.13 GiB at TP 4 on L4s), the
// board-to-board fabrics of SXM / HGX / OAM parts what the NVLink figures show (nccl_mib). Consumer
// boards have no P2P at all (GeForce drivers), which also disables the engines' custom all-reduce.
bool pcie_only(const GpuSpec* gpu) noexcept {
    if (!gpu) return false;
    if (gpu->kind == "workstation" || gpu->kind == "consumer") return true;
    if (gpu->kind != "datacenter") return false;
    const std::string& n = gpu->name;
    if (n.find("PCIe") != std::string::npos || n.find(" NVL ") != std::string::npos) return true;  // NVL: bridged pairs
    for (const char* card : {"NVIDIA A2", "NVIDIA A10", "NVIDIA A10G", "NVIDIA A16", "NVIDIA A30", "NVIDIA A40",
                             "NVIDIA L2", "NVIDIA L4", "NVIDIA L20", "NVIDIA L40", "NVIDIA L40S", "NVIDIA T10",
                             "NVIDIA Tesla T4", "NVIDIA P40", "NVIDIA Tesla P4", "NVIDIA M40", "NVIDIA TESLA M60"})
        if (n == card) return true;
    return false;
}

}  // namespace

bool peer_to_peer(const Context& ctx, const std::string& option) noexcept {
    if (option == "auto") return !pcie_only(ctx.gpu);
    return option == "true";
}

}  // namespace vram::plugins
