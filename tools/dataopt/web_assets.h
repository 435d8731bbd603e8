#pragma once
// The viewer's static files (web/), compiled into the binary at build time
// by cmake/EmbedWebAssets.cmake, so `dataopt view` works from any directory.

#include <string_view>
#include <vector>

namespace dataopt::cli {

struct WebAsset {
  /// URL path, e.g. "/viewer.js".
  const char* path;
  const char* content_type;
  std::string_view body;
};

const std::vector<WebAsset>& web_assets();

}  // namespace dataopt::cli
