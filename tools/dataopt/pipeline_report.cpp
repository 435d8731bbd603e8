// report.json and report.html of `dataopt pipeline`: one section per stage
// with its numbers and pictures. The page is self-contained (pictures as
// data URIs, inline CSS and SVG), so it opens without network access.

#include <cmath>
#include <cstdio>
#include <sstream>

#include "dataopt/core/atomic_file.h"
#include "dataopt/core/json_io.h"
#include "pipeline.h"

namespace dataopt::cli::pipeline {

namespace {

std::string base64(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += table[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '&': o += "&amp;"; break;
      case '"': o += "&quot;"; break;
      default: o += ch;
    }
  }
  return o;
}

std::string fmt(double v, const char* f = "%.4f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string pct(double v) { return fmt(100 * v, "%.2f%%"); }

double num(const nlohmann::json& j, const char* key, double fallback = NAN) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}

// An <img> with the PNG at out/relative embedded, or a note if it is missing.
std::string picture(const fs::path& out, const nlohmann::json& stage, const char* key,
                    const std::string& alt) {
  if (!stage.contains(key)) return "";
  const fs::path file = out / stage[key].get<std::string>();
  if (!fs::exists(file)) return "<p class=note>(" + escape(file.string()) + " is missing)</p>";
  return "<img class=pic alt=\"" + escape(alt) + "\" src=\"data:image/png;base64," +
         base64(read_file(file)) + "\">";
}

// Precision of the top-k flags against the injected noise, as an inline SVG.
std::string precision_svg(const nlohmann::json& curves) {
  const double w = 520, h = 240, l = 50, b = 30, r = 10, t = 10;
  double kmax = 1;
  for (const auto& [name, c] : curves.items()) kmax = std::max(kmax, c["k"].back().get<double>());
  std::ostringstream s;
  s << "<svg class=curve width=" << w << " height=" << h << " viewBox=\"0 0 " << w << " " << h
    << "\" role=img aria-label=\"precision of the top k flags\">";
  s << "<rect x=" << l << " y=" << t << " width=" << (w - l - r) << " height=" << (h - t - b)
    << " fill=none stroke=#999 />";
  for (int g = 0; g <= 4; ++g) {
    const double y = t + (h - t - b) * (1 - g / 4.0);
    s << "<text x=" << (l - 6) << " y=" << (y + 4) << " text-anchor=end>" << fmt(g / 4.0, "%.2f")
      << "</text>";
  }
  s << "<text x=" << l << " y=" << (h - 8) << ">k = 0</text><text x=" << (w - r) << " y=" << (h - 8)
    << " text-anchor=end>k = " << static_cast<long long>(kmax) << " (flagged examples)</text>";
  const char* colours[] = {"#c0392b", "#2c7fb8", "#555"};
  int ci = 0, row = 0;
  for (const auto& [name, c] : curves.items()) {
    std::string pts;
    for (size_t i = 0; i < c["k"].size(); ++i) {
      const double x = l + (w - l - r) * c["k"][i].get<double>() / kmax;
      const double y = t + (h - t - b) * (1 - c["precision"][i].get<double>());
      pts += fmt(x, "%.1f") + "," + fmt(y, "%.1f") + " ";
    }
    s << "<polyline fill=none stroke-width=2 stroke=\"" << colours[ci % 3] << "\" points=\"" << pts
      << "\" />";
    s << "<text x=" << (w - r - 8) << " y=" << (t + 16 + 14 * row++) << " text-anchor=end fill=\""
      << colours[ci++ % 3] << "\">" << escape(name) << "</text>";
  }
  s << "</svg>";
  return s.str();
}

std::string metrics_row(const std::string& label, const std::string& data,
                        const nlohmann::json& st) {
  const double sd = num(st, "test_accuracy_std", NAN);
  std::string acc = pct(num(st, "test_accuracy"));
  if (!std::isnan(sd) && st.contains("seeds") && st["seeds"].size() > 1) acc += " ± " + pct(sd);
  return "<tr><td>" + label + "</td><td>" + data + "</td><td>" + acc + "</td><td>" +
         fmt(num(st, "test_nll")) + "</td><td>" + fmt(num(st, "test_ece")) + "</td></tr>";
}

// Paired gain of stage 4 over stage 1, per seed.
nlohmann::json cleaning_gain(const nlohmann::json& first, const nlohmann::json& second) {
  std::vector<double> d;
  const auto& a = first["seeds"];
  const auto& b = second["seeds"];
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    d.push_back(b[i]["test_accuracy"].get<double>() - a[i]["test_accuracy"].get<double>());
  }
  double m = 0, q = 0;
  for (double x : d) m += x / static_cast<double>(d.size());
  for (double x : d) q += (x - m) * (x - m);
  const double sd = d.size() > 1 ? std::sqrt(q / static_cast<double>(d.size() - 1)) : 0.0;
  return {{"mean", m}, {"std", sd}, {"per_seed", d}, {"seeds", d.size()}};
}

const char* kStyle = R"(body{font:15px/1.45 system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
td:first-child,th:first-child{text-align:left}.note{color:#666}.headline{font-size:1.15em;background:#f3f6fa;padding:.6em 1em;border-left:4px solid #2c7fb8}
.pic{image-rendering:pixelated;max-width:100%;border:1px solid #ddd}.curve text{font-size:11px})";

}  // namespace

void write_report(const fs::path& out, const nlohmann::json& report_in) {
  nlohmann::json report = report_in;
  const auto& st = report["stages"];
  auto has = [&](const char* name) { return st.contains(name); };
  if (has("train") && has("retrain")) report["cleaning_gain"] = cleaning_gain(st["train"], st["retrain"]);
  write_json(out / "report.json", report);

  std::ostringstream h;
  h << "<!doctype html><html lang=en><head><meta charset=utf-8><title>dataopt pipeline report"
    << "</title><style>" << kStyle << "</style></head><body>\n";
  h << "<h1>dataopt pipeline report</h1>\n";
  const auto& set = report["settings"];
  h << "<p>Data <b>" << escape(set["data"]["data"].get<std::string>()) << "</b>: "
    << set["data"]["train_size"] << " training and " << set["data"]["test_size"]
    << " test examples; injected label noise " << pct(set["data"]["noise_rate"].get<double>())
    << " (" << escape(set["data"]["noise_kind"].get<std::string>()) << "); model "
    << escape(set["training"]["model"].get<std::string>()) << ", " << set["training"]["epochs"]
    << " epochs, " << set["training"]["seeds"] << " seed(s). " << report["stopped_after"]
    << " of 6 stages done in " << fmt(num(report, "elapsed_seconds") / 60, "%.1f")
    << " minutes.</p>\n";

  // Headline: did cleaning help?
  if (report.contains("cleaning_gain")) {
    const auto& g = report["cleaning_gain"];
    const double m = g["mean"], sd = g["std"];
    const bool up = m > 0 && (g["seeds"].get<size_t>() < 2 || m > sd);
    h << "<p class=headline id=gain>Cleaning " << (m > 0 ? "raised" : "did not raise")
      << " test accuracy: " << (m >= 0 ? "+" : "") << fmt(100 * m, "%.2f") << " points";
    if (g["seeds"].get<size_t>() > 1) h << " ± " << fmt(100 * sd, "%.2f") << " (paired over " << g["seeds"] << " seeds)";
    h << (up ? "." : (m > 0 ? ", within the spread over seeds: not a measurable gain." : "."))
      << " Test NLL " << fmt(num(st["train"], "test_nll")) << " &rarr; "
      << fmt(num(st["retrain"], "test_nll")) << ", ECE " << fmt(num(st["train"], "test_ece"))
      << " &rarr; " << fmt(num(st["retrain"], "test_ece")) << ".</p>\n";
  }

  h << "<h2 id=summary>Test accuracy, NLL and ECE across stages</h2>\n<table><tr><th>stage</th>"
    << "<th>training data</th><th>accuracy</th><th>NLL</th><th>ECE</th></tr>\n";
  if (has("train"))
    h << metrics_row("1 train", std::to_string(st["train"]["train_size"].get<int64_t>()) + " examples, given labels", st["train"]);
  if (has("retrain"))
    h << metrics_row("4 retrain", std::to_string(st["retrain"]["train_size"].get<int64_t>()) + " examples, cleaned", st["retrain"]);
  if (has("condense"))
    h << metrics_row("5 condensed only", std::to_string(st["condense"]["decoded_images"].get<int64_t>()) + " synthetic images (IDC)", st["condense"]);
  if (has("mix"))
    h << metrics_row("6 " + escape(st["mix"]["mix"].get<std::string>()), "cleaned, mixed batches", st["mix"]);
  h << "</table>\n";

  const char* titles[] = {"1. Train on the given labels", "2. Audit with the relation graph",
                          "3. Clean", "4. Retrain on the cleaned set",
                          "5. Condense the cleaned set (IDC)", "6. Train with saliency-guided mixing"};
  for (int k = 1; k <= 6; ++k) {
    const std::string& name = stage_names()[k - 1];
    h << "<h2 id=stage-" << name << ">" << titles[k - 1] << "</h2>\n";
    if (!has(name.c_str())) {
      h << "<p class=note>Not run yet: the pipeline stopped after stage " << report["stopped_after"]
        << ". Rerun the same command to continue.</p>\n";
      continue;
    }
    const auto& s = st[name];
    if (s.value("resumed", false)) h << "<p class=note>Computed by an earlier run (resumed).</p>";
    if (name == "train" || name == "retrain") {
      h << "<table><tr><th>seed</th><th>accuracy</th><th>NLL</th><th>ECE</th><th>seconds</th></tr>";
      for (const auto& r : s["seeds"]) {
        h << "<tr><td>" << r["seed"] << "</td><td>" << pct(r["test_accuracy"]) << "</td><td>"
          << fmt(r["test_nll"]) << "</td><td>" << fmt(r["test_ece"]) << "</td><td>"
          << fmt(num(r, "train_seconds"), "%.0f") << "</td></tr>";
      }
      h << "</table>\n";
    } else if (name == "audit") {
      h << "<p>The relation graph estimates <b>" << s["estimated_noisy"] << "</b> label errors ("
        << pct(s["estimated_noise_rate"]) << " of the training set)";
      if (s.contains("flipped")) h << "; " << s["flipped"] << " labels were flipped on purpose";
      if (s.contains("precision_at_estimated"))
        h << "; precision of its top " << s["estimated_noisy"] << ": <b>"
          << pct(s["precision_at_estimated"]) << "</b>";
      h << ".</p>\n";
      if (s.contains("methods")) {
        h << "<table id=detection><tr><th>score</th><th>AUROC</th><th>AP</th></tr>";
        for (const char* m : {"nrg", "loss", "margin", "entropy", "least_confidence", "confident_learning"}) {
          if (!s["methods"].contains(m)) continue;
          h << "<tr><td>" << m << "</td><td>" << fmt(s["methods"][m]["auroc"]) << "</td><td>"
            << fmt(s["methods"][m]["ap"]) << "</td></tr>";
        }
        h << "</table>\n<p>Precision of the top k flags against the injected noise:</p>\n"
          << precision_svg(s["precision_curve"]) << "\n";
      }
      h << "<p>The most suspected label errors (caption: given &gt; predicted label; red "
        << "frame: the label was flipped on purpose, green: the given label was right):</p>\n"
        << picture(out, s, "suspects_png", "top suspected label errors") << "\n"
        << "<p class=note>Explore all examples: <code>dataopt view " << escape(out.string())
        << "</code></p>\n";
    } else if (name == "clean") {
      h << "<p>Policy <b>" << escape(s["policy"].get<std::string>()) << "</b>, ranked by <b>"
        << escape(s.value("score", std::string("nrg"))) << "</b>: " << s["flagged"]
        << " examples flagged (how many: the relation graph's estimate"
        << (s.value("capped", false) ? ", capped by --max-clean: the estimate was " +
                                           std::to_string(s["estimated_noisy"].get<int64_t>()) +
                                           ", which usually means the stage-1 model is too weak"
                                     : std::string())
        << "), " << s["removed"] << " removed, "
        << s["relabelled"] << " relabelled; training set " << st["train"]["train_size"] << " &rarr; "
        << s["train_size_after"] << ".";
      if (s.contains("precision"))
        h << " Of the flagged, " << pct(s["precision"]) << " were truly flipped (recall "
          << pct(s["recall"]) << "); wrong labels " << pct(s["noise_before"]) << " &rarr; "
          << pct(s["noise_after"]) << ".";
      h << "</p>\n";
    } else if (name == "condense") {
      h << "<p>IDC, " << s["ipc"] << " stored images per class, factor " << s["factor"] << ": "
        << s["iterations"] << " inner iterations in " << fmt(num(s, "condense_seconds"), "%.0f")
        << " s (" << fmt(100 * num(s, "iterations") / num(s, "schedule_iterations"), "%.2f")
        << "% of the paper's schedule). " << s["decoded_images"] << " training images from "
        << s["stored_values"] << " stored values (" << fmt(100 * num(s, "stored_values") / num(s, "full_train_values"), "%.2f")
        << "% of the cleaned set). A ConvNet trained on them alone for " << s["evaluation"]["epochs"]
        << " epochs: <b>" << pct(s["test_accuracy"]) << "</b> test accuracy.</p>\n"
        << picture(out, s, "synthetic_png", "condensed images, one row per class") << "\n";
    } else if (name == "mix") {
      h << "<p>" << escape(s["mix"].get<std::string>()) << " for " << s["epochs"]
        << " epochs on the cleaned set: accuracy " << pct(s["test_accuracy"]) << ", NLL "
        << fmt(s["test_nll"]) << ", ECE " << fmt(s["test_ece"]);
      if (has("retrain"))
        h << " (stage 4, no mixing: " << pct(st["retrain"]["test_accuracy"]) << ", "
          << fmt(st["retrain"]["test_nll"]) << ", " << fmt(st["retrain"]["test_ece"]) << ")";
      h << ".</p>\n<p>Mixed examples (rows: input, saliency, partner, mask, output):</p>\n"
        << picture(out, s, "mixed_png", "examples of mixed images") << "\n";
    }
  }
  h << "<p class=note>All numbers: report.json beside this page.</p></body></html>\n";
  write_text_atomic(out / "report.html", h.str());
}

}  // namespace dataopt::cli::pipeline
