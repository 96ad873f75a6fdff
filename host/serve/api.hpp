// serve/api.hpp - what `vram serve` answers, independent of the socket: one request in, one
// response out. The HTTP layer (server.cpp) only reads and writes; everything a request may do
// is decided here, so it can be reasoned about (and tested) in one place.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "../app.hpp"

namespace vram::cli::serve {

/// Largest request body accepted; larger ones get 413 before they are read.
inline constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
/// Largest sweep one request may ask for (points of the cross product).
inline constexpr std::size_t kMaxSweepPoints = 10'000;
/// Most scenarios in one compare request.
inline constexpr std::size_t kMaxCompareScenarios = 16;

struct Request {
    std::string method;        ///< GET, POST, HEAD ...
    std::string target;        ///< path and query, as sent
    std::string content_type;  ///< the Content-Type header
    std::string body;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

/// The page's files, read once at start-up: a request can only ever get one of these, named
/// exactly, so no path it sends reaches the file system.
class StaticFiles {
public:
    /// Every regular file under `dir` (symbolic links are skipped); a missing dir serves none.
    explicit StaticFiles(const std::string& dir);
    /// The file for a URL path ("/" is index.html); null when there is none.
    const Response* find(const std::string& path) const;
    std::size_t size() const noexcept { return files_.size(); }

private:
    std::map<std::string, Response> files_;
};

class Api {
public:
    /// `app` has its plugins loaded; `common` carries the log level for scenario sessions.
    Api(App& app, CommonOptions common, const std::string& web_dir);
    /// Answers one request; never throws (errors become 4xx/5xx JSON bodies).
    Response handle(const Request& request);
    std::size_t static_files() const noexcept { return files_.size(); }

private:
    Response api(const std::string& method, const std::string& path,
                 const std::multimap<std::string, std::string>& query, const Request& request);
    App& app_;
    CommonOptions common_;
    StaticFiles files_;
    std::string schema_;  // the JSON Schema, computed once (plugins do not change while serving)
    // The estimator is driven by one request at a time: plugins and the hub cache were written
    // for a single-threaded CLI, and every request is bounded (body size, sweep points), so a
    // queue of short requests is safer than proving all of them reentrant.
    std::mutex engine_;
};

/// `{"error": {"message": ..., "path": ...}}` (path null when the message names no key).
std::string error_json(const std::string& message, const std::string& path);
/// The scenario key a one-line error message is about ("workload.batch_size"), or "".
std::string key_path_of(const std::string& message);
/// Percent-decodes a query component ('+' is a space); false for a malformed escape.
bool url_decode(const std::string& in, std::string& out);

}  // namespace vram::cli::serve
