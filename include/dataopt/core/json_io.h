#pragma once
/// \file
/// JSON results files (nlohmann::json), written atomically.
///
///   nlohmann::json j = {{"test_accuracy", 0.91}};
///   dataopt::write_json("out/metrics.json", j);

#include <filesystem>

#include <nlohmann/json_fwd.hpp>

namespace dataopt {

/// Writes `value` pretty-printed (2-space indent) to `path`, atomically.
void write_json(const std::filesystem::path& path, const nlohmann::json& value);

/// Parses a JSON file; throws dataopt::Error naming the file on bad syntax.
nlohmann::json read_json(const std::filesystem::path& path);

}  // namespace dataopt
