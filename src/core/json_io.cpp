#include "dataopt/core/json_io.h"

#include <nlohmann/json.hpp>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/check.h"

namespace dataopt {

void write_json(const std::filesystem::path& path,
                const nlohmann::json& value) {
  write_text_atomic(path, value.dump(2) + "\n");
}

nlohmann::json read_json(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    DATAOPT_CHECK(false, path.string(), ": invalid JSON: ", e.what());
  }
  return {};
}

}  // namespace dataopt
