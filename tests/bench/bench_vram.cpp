// bench_vram.cpp - the speed figures of docs/performance.md:
//   1. scenario evaluations per second (Estimator::evaluate_peak, one core, no parsing),
//      and prepared points per second (numbers set in place + prepare + evaluate, as sweep does);
//   2. wall time of `vram sweep` over 100,000 points with CSV output (one process, end to end),
//      and (full run) 1,000,000 points streamed to CSV: CPU time and peak resident memory;
//   3. median cold start, CPU (user + system) and wall, of `vram --version` and of `vram run`
//      with every first-party plugin (30 runs each).
//   4. `vram run` of a generate() scenario, whose reserved view replays the caching allocator.
// `--short` (the CTest) runs fewer iterations; it reports and checks nothing about timing.
// `--cold-start` measures only 3.
// SPDX-License-Identifier: Apache-2.0
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

extern char** environ;
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "pipeline/estimate.hpp"
#include "model/family_file.hpp"
#include "plugin/plugin_loader.hpp"
#include "plugin/registry.hpp"
#include "scenario/scenario_keys.hpp"
#include "scenario/scenario_loader.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU time of this thread: what the loop costs on a core it has to itself.
double thread_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs a program directly (no shell, whose start would count), stdout and stderr to /dev/null;
// returns its exit status; `cpu_s` gets its user + system CPU time, which a loaded machine
// (other processes competing for the cores) inflates far less than the wall time.
int run(const std::vector<std::string>& args, double& cpu_s, long* peak_rss_kib = nullptr) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int err = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) return -1;
    int status = 0;
    struct rusage ru {};
    if (wait4(pid, &status, 0, &ru) < 0) return -1;
    if (peak_rss_kib) *peak_rss_kib = ru.ru_maxrss;  // Linux: KiB
    cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Spawns `cmd` `runs` times and prints the median wall and CPU (user + system, from wait4's
// rusage of the child) times. CPU time is the figure to compare across machines: a loaded machine
// inflates wall time by the share of the core the process did not get, CPU time far less.
// Prints only; a slow machine is not a failure. Returns false if the command itself failed.
bool cold_start(const char* label, const std::vector<std::string>& cmd, int runs) {
    std::vector<double> wall, cpu;
    for (int i = 0; i < runs; ++i) {
        const auto t0 = Clock::now();
        double c = 0;
        if (run(cmd, c) != 0) {
            std::fprintf(stderr, "bench_vram: %s failed\n", label);
            return false;
        }
        wall.push_back(seconds_since(t0) * 1000);
        cpu.push_back(c * 1000);
    }
    const auto [lo, hi] = std::minmax_element(cpu.begin(), cpu.end());
    std::printf("%s cold start: median %.1f ms CPU (user + system; min %.1f, max %.1f), median %.1f ms wall, "
                "%d runs\n",
                label, median(cpu), *lo, *hi, median(wall), runs);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    bool short_run = false, cold_only = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--short") == 0) short_run = true;
        else if (std::strcmp(argv[i], "--cold-start") == 0) cold_only = true;
        else {
            std::fprintf(stderr, "usage: bench_vram [--short] [--cold-start]\n");
            return 2;
        }
    }
    // One core: the figures are per core, and pinning keeps the scheduler from moving us.
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<unsigned>(sched_getcpu()), &set);
    sched_setaffinity(0, sizeof set, &set);

    const int runs = short_run ? 5 : 30;
    // `vram --version` pays dynamic linking and static initialisers only; `vram run` adds the
    // plugins, the scenario and the estimate (issue 16).
    auto cold_starts = [runs] {
        return cold_start("vram --version", {VRAM_BENCH_BINARY, "--version"}, runs) &&
               cold_start("vram run", {VRAM_BENCH_BINARY, "run", VRAM_BENCH_SCENARIO, "--format", "json"}, runs);
    };
    if (cold_only) return cold_starts() ? 0 : 1;

    vram::Registry registry;
    vram::PluginLoader loader(registry);
    loader.load_directory(VRAM_BENCH_PLUGIN_DIR, false);
    vram::load_family_directory(registry, vram::family_directory(VRAM_BENCH_PRESET_DIR));  // llama is a family file
    vram::Estimator est(registry, vram::load_scenario(VRAM_BENCH_SCENARIO, {}), VRAM_BENCH_PRESET_DIR);

    // 1a. Evaluation only: the hot path of fit and sweep.
    const long evals = short_run ? 200'000 : 5'000'000;
    volatile vram::Bytes sink = 0;
    auto t0 = Clock::now();
    double c0 = thread_cpu_s();
    for (long i = 0; i < evals; ++i) sink = sink + est.evaluate_peak();
    const double eval_s = seconds_since(t0), eval_cpu = thread_cpu_s() - c0;
    std::printf("evaluate_peak: %ld evaluations in %.3f s wall = %.0f/s; %.3f s CPU = %.0f evaluations/s per core\n",
                evals, eval_s, static_cast<double>(evals) / eval_s, eval_cpu, static_cast<double>(evals) / eval_cpu);

    // 1b. A sweep point: batch size set in place, stages prepared again, evaluated.
    const long points = short_run ? 20'000 : 500'000;
    t0 = Clock::now();
    c0 = thread_cpu_s();
    for (long i = 0; i < points; ++i) {
        vram::set_scenario_number(est.scenario(), "workload.batch_size", static_cast<double>(1 + i % 64));
        est.prepare();
        sink = sink + est.evaluate_peak();
    }
    const double point_s = seconds_since(t0), point_cpu = thread_cpu_s() - c0;
    std::printf("set + prepare + evaluate_peak: %ld points in %.3f s wall = %.0f/s; %.3f s CPU = %.0f points/s per core\n",
                points, point_s, static_cast<double>(points) / point_s, point_cpu,
                static_cast<double>(points) / point_cpu);

    // 2. `vram sweep` end to end: 1,000 batch sizes x 100 sequence lengths = 100,000 points.
    const std::string out_csv = "/tmp/bench_vram_sweep_" + std::to_string(::getpid()) + ".csv";
    const std::string seq = short_run ? "128:1280:128" : "128:12800:128";
    const int sweep_points = short_run ? 10'000 : 100'000;
    const std::vector<std::string> sweep_cmd = {VRAM_BENCH_BINARY, "sweep", VRAM_BENCH_SCENARIO, "--vary",
                                                "workload.batch_size=1:1000:1", "--vary",
                                                "workload.sequence_length=" + seq, "--format", "csv", "--output", out_csv};
    t0 = Clock::now();
    double sweep_cpu = 0;
    const int sweep_rc = run(sweep_cmd, sweep_cpu);
    const double sweep_s = seconds_since(t0);
    std::remove(out_csv.c_str());
    if (sweep_rc != 0) {
        std::fprintf(stderr, "bench_vram: vram sweep failed (exit %d)\n", sweep_rc);
        return 1;
    }
    std::printf("vram sweep: %d points with CSV output in %.3f s wall, %.3f s CPU (process start included)\n",
                sweep_points, sweep_s, sweep_cpu);

    // 2b. Streaming (issue 21): 1,000,000 points to CSV; the peak resident memory must not grow
    // with the points (target <= 64 MiB and <= 4 s CPU on one core).
    if (!short_run) {
        const std::vector<std::string> million = {VRAM_BENCH_BINARY, "sweep", VRAM_BENCH_SCENARIO, "--vary",
                                                  "workload.batch_size=1:1000:1", "--vary",
                                                  "workload.sequence_length=128:128000:128", "--format", "csv",
                                                  "--output", out_csv};
        double cpu = 0;
        long rss_kib = 0;
        t0 = Clock::now();
        const int rc = run(million, cpu, &rss_kib);
        const double wall = seconds_since(t0);
        std::remove(out_csv.c_str());
        if (rc != 0) {
            std::fprintf(stderr, "bench_vram: vram sweep (1,000,000 points) failed (exit %d)\n", rc);
            return 1;
        }
        std::printf("vram sweep: 1000000 points streamed to CSV in %.3f s wall, %.3f s CPU, peak resident %.1f MiB\n",
                    wall, cpu, static_cast<double>(rss_kib) / 1024.0);
    }

    // 4. The caching-allocator replay of generate() (issue 19, docs/allocator.md): one `vram run`
    // of Llama-3.1-8B on an H100, prompt 1,024 tokens, to 8,192 and to 131,072 tokens (the latter
    // replayed several tokens per step to stay within the event budget).
    for (const char* total : {"8192", "131072"}) {
        const std::string yaml = "/tmp/bench_vram_generate_" + std::to_string(::getpid()) + ".yaml";
        if (FILE* f = std::fopen(yaml.c_str(), "w")) {
            std::fprintf(f,
                         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, "
                         "sequence_length: %s, prompt_length: 1024}\nhardware: {gpu: H100 SXM}\n",
                         total);
            std::fclose(f);
        }
        double cpu = 0;
        t0 = Clock::now();
        const int rc = run({VRAM_BENCH_BINARY, "run", yaml, "--format", "json"}, cpu);
        const double wall = seconds_since(t0);
        std::remove(yaml.c_str());
        if (rc != 0) {
            std::fprintf(stderr, "bench_vram: vram run (generate to %s tokens) failed (exit %d)\n", total, rc);
            return 1;
        }
        std::printf("vram run, generate() 1024 -> %s tokens with the allocator replay: %.3f s wall, %.3f s CPU\n",
                    total, wall, cpu);
    }

    // 3. Cold starts, median of N.
    if (!cold_starts()) return 1;
    return sink == 42 ? 0 : 0;
}
