#include "broadcasts/broadcast_store.hpp"
#include "core/text.hpp"
#include "flows/merge.hpp"

namespace chorus::broadcasts {
namespace {

std::string Sample(const std::string& text, const std::string& org_name) {
  return flows::Render(text, [&](const std::string& name) -> std::optional<std::string> {
    if (name == "org.name") return org_name;
    return std::nullopt;
  });
}

}  // namespace

std::vector<VariantPreview> PreviewTexts(const Draft& draft, const std::string& org_name) {
  std::vector<VariantPreview> out;
  for (const auto& [language, written] : draft.variants) {
    VariantPreview v;
    v.language = language;
    const LookAlikes replaced =
        draft.replace_look_alikes ? ReplaceLookAlikes(written) : LookAlikes{written, 0};
    const std::string sample = Sample(replaced.text, org_name);
    const SegmentCount count = CountSegments(sample);
    v.encoding = count.encoding;
    v.ucs2_characters = Ucs2Characters(sample);
    v.characters = static_cast<int>(CountCodePoints(sample));
    v.segments = count.segments;
    v.look_alikes_replaced = replaced.replaced;
    v.segments_without_replacement = CountSegments(Sample(written, org_name)).segments;
    v.merge_fields = !flows::MergeFields(written).empty();
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace chorus::broadcasts
