// tvram_plugin_loader.cpp - the loader against fixture plugins, one failure mode each.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"
#include "vram/error.hpp"
#include "vram/plugin_api.hpp"
#include "plugin/plugin_loader.hpp"

using namespace vram;

namespace {

struct LoaderFixture {
    Registry registry;
    PluginLoader loader{registry};
};

bool message_has(const PluginLoadError& e, const std::string& path, const std::string& text) {
    const std::string what = e.what();
    return what.find(path) != std::string::npos && what.find(text) != std::string::npos;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(plugin_loader, LoaderFixture)

BOOST_AUTO_TEST_CASE(issue2_good_plugin_registers_its_component) {
    BOOST_TEST(registry.components.find("test.fixture.buffer") == nullptr);
    BOOST_TEST(loader.load(VRAM_FIXTURE_GOOD));
    BOOST_TEST(registry.components.find("test.fixture.buffer") != nullptr);
    BOOST_REQUIRE_EQUAL(loader.loaded().size(), 1u);
    BOOST_TEST(loader.loaded()[0].name == "fixture_good");
    BOOST_TEST(loader.loaded()[0].version == "1.2.3");
    BOOST_TEST(registry.components.origin("test.fixture.buffer").find("fixture_good") != std::string::npos);
    // Loading the same plugin twice is skipped, not an error.
    BOOST_TEST(!loader.load(VRAM_FIXTURE_GOOD));
}

BOOST_AUTO_TEST_CASE(issue16_bundle_loads_each_plugin_on_its_own) {
    // Two plugins in one library (as vram_builtin.so holds the first-party ones): both listed by
    // name and version with the one file, both components registered, origins naming the plugin.
    BOOST_TEST(loader.load(VRAM_FIXTURE_BUNDLE));
    BOOST_REQUIRE_EQUAL(loader.loaded().size(), 2u);
    BOOST_TEST(loader.loaded()[0].name == "fixture_bundle_a");
    BOOST_TEST(loader.loaded()[0].version == "1.0.0");
    BOOST_TEST(loader.loaded()[1].name == "fixture_bundle_b");
    BOOST_TEST(loader.loaded()[1].version == "2.0.0");
    BOOST_TEST(loader.loaded()[0].path == loader.loaded()[1].path);
    BOOST_TEST(registry.components.find("test.fixture.bundle_a") != nullptr);
    BOOST_TEST(registry.components.find("test.fixture.bundle_b") != nullptr);
    BOOST_TEST(registry.components.origin("test.fixture.bundle_b").find("(fixture_bundle_b)") != std::string::npos);
    BOOST_TEST(!loader.load(VRAM_FIXTURE_BUNDLE));  // the same plugins again: skipped
}

BOOST_AUTO_TEST_CASE(issue16_bundle_with_a_stale_plugin_is_refused_whole) {
    // The second plugin's header fingerprint is not the host's: one error naming the file and
    // the plugin, and the first plugin of the bundle registers nothing.
    BOOST_CHECK_EXCEPTION(loader.load(VRAM_FIXTURE_BUNDLE_BAD_FINGERPRINT), PluginLoadError,
                          [](const PluginLoadError& e) {
                              return message_has(e, VRAM_FIXTURE_BUNDLE_BAD_FINGERPRINT, "(fixture_bundle_stale)") &&
                                     std::string(e.what()).find("fingerprint") != std::string::npos;
                          });
    BOOST_TEST(loader.loaded().empty());
    BOOST_TEST(registry.components.find("test.fixture.bundle_ok") == nullptr);
}

BOOST_AUTO_TEST_CASE(issue2_component_outlives_loader_and_registry_scope) {
    std::shared_ptr<const Component> kept;
    {
        Registry local;
        PluginLoader l(local);
        l.load(VRAM_FIXTURE_GOOD);
        kept = local.components.entries().front().item;
    }
    // The library stays mapped because the component holds it.
    BOOST_TEST(kept->id() == "test.fixture.buffer");
}

BOOST_AUTO_TEST_CASE(issue2_duplicate_name_rejected_naming_both_origins) {
    loader.load_directory(VRAM_TEST_PLUGIN_DIR, false);
    BOOST_CHECK_EXCEPTION(loader.load(VRAM_FIXTURE_DUPLICATE), PluginLoadError, [](const PluginLoadError& e) {
        const std::string w = e.what();
        return w.find("core.weights") != std::string::npos && w.find("vram_components_core") != std::string::npos &&
               w.find("fixture_duplicate") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(issue2_wrong_api_version_rejected) {
    BOOST_CHECK_EXCEPTION(loader.load(VRAM_FIXTURE_BAD_API_VERSION), PluginLoadError, [](const PluginLoadError& e) {
        return message_has(e, "fixture_bad_api_version", "built for plugin API v43") &&
               message_has(e, "", "this host speaks v" + std::to_string(VRAM_PLUGIN_API_VERSION));
    });
    BOOST_TEST(loader.loaded().empty());
}

BOOST_AUTO_TEST_CASE(issue2_wrong_abi_tag_rejected) {
    BOOST_CHECK_EXCEPTION(loader.load(VRAM_FIXTURE_BAD_ABI_TAG), PluginLoadError, [](const PluginLoadError& e) {
        return message_has(e, "fixture_bad_abi_tag", "standard library ABI 'libc++'");
    });
}

BOOST_AUTO_TEST_CASE(issue2_throwing_registration_commits_nothing) {
    BOOST_CHECK_EXCEPTION(loader.load(VRAM_FIXTURE_THROWS), PluginLoadError, [](const PluginLoadError& e) {
        return message_has(e, "fixture_throws", "registration threw: boom from plugin");
    });
    BOOST_TEST(registry.components.find("test.fixture.staged") == nullptr);
    BOOST_TEST(loader.loaded().empty());
}

BOOST_AUTO_TEST_CASE(issue2_library_without_entry_point_rejected) {
    BOOST_CHECK_EXCEPTION(loader.load(VRAM_FIXTURE_NO_ENTRY), PluginLoadError, [](const PluginLoadError& e) {
        return message_has(e, "fixture_no_entry", "no 'vram_get_plugin_info' symbol");
    });
}

BOOST_AUTO_TEST_CASE(issue2_missing_and_non_library_files_rejected) {
    BOOST_CHECK_EXCEPTION(loader.load("/nonexistent/x.so"), PluginLoadError,
                          [](const PluginLoadError& e) { return message_has(e, "/nonexistent/x.so", "no such file"); });
    const std::string text = vram::test::write_scenario("not a library", "fake");
    BOOST_CHECK_EXCEPTION(loader.load(text), PluginLoadError,
                          [&](const PluginLoadError& e) { return message_has(e, text, "dlopen failed"); });
}

BOOST_AUTO_TEST_CASE(issue2_directory_scan_records_failures_and_keeps_going) {
    loader.load_directory(VRAM_FIXTURE_DIR, true);
    BOOST_TEST(registry.components.find("test.fixture.buffer") != nullptr);
    BOOST_TEST(loader.failed().size() >= 4u);  // api version, abi tag, throws, no entry
}

BOOST_AUTO_TEST_CASE(issue2_cli_plugins_lists_loaded_and_failed) {
    const auto r = vram::test::run_cli({"plugins", "--format", "json", "--plugin-dir", VRAM_FIXTURE_DIR});
    BOOST_TEST(r.rc == 0);
    BOOST_TEST(r.out.find("\"name\": \"vram_components_core\"") != std::string::npos);
    BOOST_TEST(r.out.find("fixture_good") != std::string::npos);
    BOOST_TEST(r.out.find("registration threw: boom from plugin") != std::string::npos);
    const auto bad = vram::test::run_cli({"run", "presets/scenarios/llama2-7b-serving-h100.yaml", "--plugin",
                                          VRAM_FIXTURE_BAD_API_VERSION});
    BOOST_TEST(bad.rc == 3);
    BOOST_TEST(bad.out.empty());
    BOOST_TEST(bad.err.find("fixture_bad_api_version") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(issue11_plugin_throwing_during_estimate_is_named) {
    const auto r = vram::test::run_cli({"run", "presets/scenarios/llama2-7b-serving-h100.yaml", "--plugin",
                                        VRAM_FIXTURE_THROWS_ESTIMATE, "--format", "json"});
    BOOST_TEST(r.rc == 1);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(r.err.find("test.fixture.faulty") != std::string::npos);
    BOOST_TEST(r.err.find("division by zero in plugin") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
