// vram/error.hpp - the exception types every part of vram throws
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>
#include <string>

#include "vram/export.hpp"

namespace vram {

/// Base of every vram exception. The message is one line: what, where, what is allowed.
class VRAM_API Error : public std::runtime_error {
public:
    explicit Error(const std::string& message);
    ~Error() override;
};

/// Scenario or model input is invalid (exit code 1). `where` is "file:line:col" or a key path.
class VRAM_API ScenarioError : public Error {
public:
    ScenarioError(const std::string& where, const std::string& message);
    ~ScenarioError() override;
    const std::string& where() const noexcept { return where_; }
    const std::string& detail() const noexcept { return detail_; }
private:
    std::string where_;
    std::string detail_;
};

/// A plugin option or scenario key has a value the plugin rejects. `key_path` is the dotted
/// scenario path (e.g. "training.lora.rank"); the host adds the file, line and column.
class VRAM_API ParamError : public Error {
public:
    ParamError(const std::string& key_path, const std::string& message);
    ~ParamError() override;
    const std::string& key_path() const noexcept { return key_path_; }
    const std::string& detail() const noexcept { return detail_; }
private:
    std::string key_path_;
    std::string detail_;
};

/// Estimation failed (overflow, a component threw, no GPU fits a constraint ...), exit code 1.
class VRAM_API EstimateError : public Error {
public:
    explicit EstimateError(const std::string& message);
    ~EstimateError() override;
};

/// A plugin library could not be loaded or registered (exit code 3). Names the file.
class VRAM_API PluginLoadError : public Error {
public:
    PluginLoadError(const std::string& path, const std::string& reason);
    ~PluginLoadError() override;
    const std::string& path() const noexcept { return path_; }
    const std::string& reason() const noexcept { return reason_; }
private:
    std::string path_;
    std::string reason_;
};

/// Two registrations used the same dotted name; the message names both origins.
class VRAM_API DuplicateComponentError : public Error {
public:
    explicit DuplicateComponentError(const std::string& message);
    ~DuplicateComponentError() override;
};

/// A name was looked up that nothing registered; the message lists close or valid names.
class VRAM_API UnknownComponentError : public Error {
public:
    explicit UnknownComponentError(const std::string& message);
    ~UnknownComponentError() override;
};

/// Command-line usage error (exit code 2).
class VRAM_API UsageError : public Error {
public:
    explicit UsageError(const std::string& message);
    ~UsageError() override;
};

}  // namespace vram
