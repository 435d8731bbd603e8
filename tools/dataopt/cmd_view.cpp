// dataopt view: an interactive page on localhost over an audit directory:
// the 2D map of all examples, the ranked suspects, one example's partners,
// and keep / remove / relabel decisions exported as a CSV that
// `dataopt train --labels-override` reads.

#include <httplib.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <mutex>

#include "commands.h"
#include "dataopt/core/check.h"
#include "dataopt/core/log.h"
#include "dataopt/data/label_decisions.h"
#include "view_data.h"
#include "web_assets.h"

namespace dataopt::cli {
namespace fs = std::filesystem;

void add_view_command(CLI::App& app, ViewArgs& a) {
  auto* cmd = app.add_subcommand(
      "view",
      "Serve an interactive viewer of an audit directory on localhost: the map of all "
      "examples, the ranked suspects, partners, and keep/remove/relabel decisions "
      "(saved to DIR/decisions.csv; 'dataopt train --labels-override' applies them).\n"
      "Example: dataopt view runs/audit --port 8765");
  add_common_flags(*cmd, a.common);
  cmd->add_option("dir", a.dir, "directory written by 'dataopt audit --out DIR' (or 'dataopt pipeline --out DIR')")->required();
  cmd->add_option("--port", a.port, "TCP port (0 = any free port)")
      ->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--host", a.host, "address to listen on")->capture_default_str();
}

namespace {

// Decisions made in the page, kept in index order and saved to
// DIR/decisions.csv (atomically) after every change.
class DecisionStore {
 public:
  DecisionStore(fs::path file, const ViewData& v) : file_(std::move(file)), view_(v) {
    if (fs::exists(file_)) {
      for (const auto& d : data::read_label_decisions(file_, v.size, v.num_classes())) {
        decisions_[d.index] = d;
      }
      log::info("view: ", decisions_.size(), " earlier decisions from ", file_.string());
    }
  }

  // {"index": i, "action": "keep|remove|relabel|undo", "label": c}
  nlohmann::json apply(const nlohmann::json& req) {
    DATAOPT_CHECK(req.is_object() && req.contains("index") && req["index"].is_number_integer(),
                  "decision: 'index' (an integer) is required");
    DATAOPT_CHECK(req.contains("action") && req["action"].is_string(),
                  "decision: 'action' (keep, remove, relabel or undo) is required");
    const int64_t i = req["index"].get<int64_t>();
    const std::string action = req["action"].get<std::string>();
    DATAOPT_CHECK(i >= 0 && i < view_.size, "decision: index ", i, " is out of range [0, ",
                  view_.size, ")");
    std::lock_guard<std::mutex> lock(mutex_);
    if (action == "undo") {
      decisions_.erase(i);
    } else {
      data::LabelDecision d{.index = i, .label = view_.given[i].item<int64_t>(),
                            .action = data::parse_label_action(action)};
      if (d.action == data::LabelAction::kRelabel) {
        DATAOPT_CHECK(req.contains("label") && req["label"].is_number_integer(),
                      "decision: relabel needs 'label' (an integer)");
        d.label = req["label"].get<int64_t>();
        DATAOPT_CHECK(d.label >= 0 && d.label < view_.num_classes(), "decision: label ",
                      d.label, " is out of range [0, ", view_.num_classes(), ")");
      }
      decisions_[i] = d;
    }
    data::write_label_decisions(file_, list_locked());
    return {{"ok", true}, {"count", decisions_.size()}};
  }

  nlohmann::json to_json() {
    std::lock_guard<std::mutex> lock(mutex_);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [i, d] : decisions_) {
      out.push_back({{"index", i}, {"label", d.label}, {"action", data::to_string(d.action)}});
    }
    return out;
  }

  std::string csv() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string out = "index,label,action\n";
    for (const auto& [i, d] : decisions_) {
      out += std::to_string(i) + "," + std::to_string(d.label) + "," +
             data::to_string(d.action) + "\n";
    }
    return out;
  }

 private:
  std::vector<data::LabelDecision> list_locked() const {
    std::vector<data::LabelDecision> out;
    for (const auto& [i, d] : decisions_) out.push_back(d);
    return out;
  }

  fs::path file_;
  const ViewData& view_;
  std::mutex mutex_;
  std::map<int64_t, data::LabelDecision> decisions_;
};

// "; charset=utf-8" also keeps Debian's httplib (built with brotli) from
// compressing the answer at brotli's slowest level: 2 MB of points took 10 s.
constexpr const char* kJson = "application/json; charset=utf-8";

void send_json(httplib::Response& res, const nlohmann::json& j) {
  res.set_content(j.dump(), kJson);
}

void add_routes(httplib::Server& svr, const ViewData& view, DecisionStore& store,
                const std::string& points) {
  for (const WebAsset& a : web_assets()) {
    auto serve = [&a](const httplib::Request&, httplib::Response& res) {
      res.set_content(a.body.data(), a.body.size(), a.content_type);
    };
    svr.Get(a.path, serve);
    if (std::string(a.path) == "/index.html") svr.Get("/", serve);
  }
  svr.Get("/api/summary", [&](const httplib::Request&, httplib::Response& res) {
    send_json(res, summary_json(view));
  });
  svr.Get("/api/points", [&points](const httplib::Request&, httplib::Response& res) {
    res.set_content(points, kJson);
  });
  svr.Get(R"(/api/example/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    send_json(res, example_json(view, std::stoll(req.matches[1])));
  });
  svr.Get(R"(/api/image/(\d+)\.png)", [&](const httplib::Request& req, httplib::Response& res) {
    const int64_t scale = req.has_param("scale") ? std::stoll(req.get_param_value("scale")) : 3;
    res.set_content(thumbnail_png(view, std::stoll(req.matches[1]), scale), "image/png");
    res.set_header("Cache-Control", "max-age=3600");
  });
  svr.Get("/api/decisions", [&](const httplib::Request&, httplib::Response& res) {
    send_json(res, store.to_json());
  });
  svr.Post("/api/decision", [&](const httplib::Request& req, httplib::Response& res) {
    const auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    DATAOPT_CHECK(!body.is_discarded(), "decision: the request body is not JSON");
    send_json(res, store.apply(body));
  });
  svr.Get("/api/export.csv", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Disposition", "attachment; filename=\"decisions.csv\"");
    res.set_content(store.csv(), "text/csv");
  });
  // A bad request (index out of range, unknown action) answers 400 with the
  // message; the server keeps running. This is the server's catch-all, as
  // main() is the command line's.
  svr.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                               std::exception_ptr ep) {
    std::string msg = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      msg = e.what();
    }
    res.status = 400;
    send_json(res, {{"error", msg}});
  });
}

}  // namespace

int run_view(const ViewArgs& a) {
  apply_common(a.common);
  fs::path dir(a.dir);
  // A pipeline directory: its audit stage.
  if (!fs::exists(dir / "summary.json") && fs::exists(dir / "2_audit" / "summary.json")) {
    dir /= "2_audit";
  }
  const ViewData view = load_view_data(dir);
  DecisionStore store(dir / "decisions.csv", view);
  const std::string points = points_json(view);
  httplib::Server svr;
  add_routes(svr, view, store, points);
  int port = a.port;
  if (port == 0) {
    port = svr.bind_to_any_port(a.host);
    DATAOPT_CHECK(port > 0, "dataopt view: cannot listen on ", a.host);
  } else {
    DATAOPT_CHECK(svr.bind_to_port(a.host, port), "dataopt view: cannot listen on ", a.host,
                  ":", port, " (in use? try --port 0)");
  }
  std::printf("dataopt view: serving %s at http://%s:%d/\n", dir.string().c_str(),
              a.host.c_str(), port);
  std::fflush(stdout);
  DATAOPT_CHECK(svr.listen_after_bind(), "dataopt view: the server stopped");
  return 0;
}

}  // namespace dataopt::cli
