#include "dataopt/data/image_grid.h"

#include "dataopt/core/check.h"
#include "dataopt/core/tensor_check.h"

namespace dataopt::data {
namespace {

// 3x5 bitmap glyphs, one row per 3-bit group (MSB = left pixel).
const std::pair<char, std::array<uint8_t, 5>> kGlyphs[] = {
    {'0', {7, 5, 5, 5, 7}}, {'1', {2, 6, 2, 2, 7}}, {'2', {7, 1, 7, 4, 7}},
    {'3', {7, 1, 7, 1, 7}}, {'4', {5, 5, 7, 1, 1}}, {'5', {7, 4, 7, 1, 7}},
    {'6', {7, 4, 7, 5, 7}}, {'7', {7, 1, 1, 1, 1}}, {'8', {7, 5, 7, 5, 7}},
    {'9', {7, 5, 7, 1, 7}}, {'>', {4, 2, 1, 2, 4}}, {'-', {0, 0, 7, 0, 0}},
    {' ', {0, 0, 0, 0, 0}},
};
constexpr int64_t kGlyphScale = 2;
constexpr int64_t kCaptionHeight = 5 * kGlyphScale + 4;

const std::array<uint8_t, 5>* glyph(char c) {
  for (const auto& [ch, rows] : kGlyphs) {
    if (ch == c) return &rows;
  }
  return nullptr;
}

}  // namespace

at::Tensor image_grid(const at::Tensor& images, const ImageGridOptions& o) {
  DATAOPT_CHECK(images.dim() == 4 && (images.size(1) == 1 || images.size(1) == 3),
                "image_grid: images must be [N, 1|3, H, W], got ", shape_str(images));
  DATAOPT_CHECK(o.columns >= 1 && o.scale >= 1 && o.padding >= 0,
                "image_grid: columns and scale must be >= 1, padding >= 0");
  const int64_t n = images.size(0);
  DATAOPT_CHECK(o.captions.empty() || static_cast<int64_t>(o.captions.size()) == n,
                "image_grid: ", o.captions.size(), " captions for ", n, " images");
  DATAOPT_CHECK(o.frames.empty() || static_cast<int64_t>(o.frames.size()) == n,
                "image_grid: ", o.frames.size(), " frames for ", n, " images");
  const int64_t th = images.size(2) * o.scale, tw = images.size(3) * o.scale;
  const int64_t cap = o.captions.empty() ? 0 : kCaptionHeight;
  const int64_t cols = std::max<int64_t>(1, std::min(o.columns, n));
  const int64_t rows = std::max<int64_t>(1, (n + cols - 1) / cols);
  const int64_t cell_h = th + cap + 2 * o.padding, cell_w = tw + 2 * o.padding;
  at::Tensor out = torch::full({rows * cell_h, cols * cell_w, 3}, 255, torch::kByte);
  at::Tensor rgb = images.detach().cpu().to(torch::kFloat).clamp(0, 1).mul(255).round()
                       .to(torch::kByte);
  if (rgb.size(1) == 1) rgb = rgb.expand({n, 3, images.size(2), images.size(3)});
  rgb = rgb.permute({0, 2, 3, 1}).repeat_interleave(o.scale, 1).repeat_interleave(o.scale, 2);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y0 = (i / cols) * cell_h + o.padding, x0 = (i % cols) * cell_w + o.padding;
    if (!o.frames.empty() && o.padding > 0) {
      const uint32_t c = o.frames[static_cast<size_t>(i)];
      const at::Tensor colour = torch::tensor({int((c >> 16) & 0xff), int((c >> 8) & 0xff),
                                               int(c & 0xff)}).to(torch::kByte);
      out.slice(0, y0 - o.padding, y0 + th + cap + o.padding)
          .slice(1, x0 - o.padding, x0 + tw + o.padding)
          .copy_(colour.view({1, 1, 3}).expand({th + cap + 2 * o.padding,
                                                tw + 2 * o.padding, 3}));
      out.slice(0, y0, y0 + th + cap).slice(1, x0, x0 + tw).fill_(255);
    }
    out.slice(0, y0, y0 + th).slice(1, x0, x0 + tw).copy_(rgb[i]);
    if (cap > 0) {
      const std::string& text = o.captions[static_cast<size_t>(i)];
      int64_t x = x0 + 1;
      for (char ch : text) {
        const auto* g = glyph(ch);
        DATAOPT_CHECK(g != nullptr, "image_grid: caption character '", ch,
                      "' not supported (digits, '>', '-', ' ')");
        for (int64_t gy = 0; gy < 5; ++gy) {
          for (int64_t gx = 0; gx < 3; ++gx) {
            if (((*g)[gy] >> (2 - gx)) & 1) {
              const int64_t py = y0 + th + 2 + gy * kGlyphScale, px = x + gx * kGlyphScale;
              if (px + kGlyphScale <= x0 + tw) {
                out.slice(0, py, py + kGlyphScale).slice(1, px, px + kGlyphScale).fill_(0);
              }
            }
          }
        }
        x += 4 * kGlyphScale;
      }
    }
  }
  return out;
}

}  // namespace dataopt::data
