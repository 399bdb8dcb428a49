#include "http/router.hpp"

#include "core/percent_encoding.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace chorus::http {
namespace {

bool IsPlaceholder(std::string_view segment) {
  return segment.size() >= 3 && segment.front() == '{' && segment.back() == '}';
}

// "/" has no segments; "/a/" is {"a", ""}, so a trailing slash never matches a route without
// one ("/healthz/" is not "/healthz"). Anything not starting with '/' is no path at all.
std::optional<std::vector<std::string_view>> SplitPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string_view> segments;
  if (path.size() == 1) return segments;
  std::size_t start = 1;
  for (;;) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      segments.push_back(path.substr(start));
      return segments;
    }
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
}

}  // namespace

void Router::Add(Verb method, std::string pattern, Handler handler) {
  auto segments = SplitPath(pattern);
  assert(segments.has_value() && "route patterns start with '/'");
  Entry entry{method, {}, {}, std::move(handler)};
  for (std::string_view segment : *segments) entry.segments.emplace_back(segment);
  entry.pattern = std::move(pattern);
  entries_.push_back(std::move(entry));
}

Router::Match Router::Find(Verb method, std::string_view path) const {
  Match best;
  auto segments = SplitPath(path);
  if (!segments) return best;
  // Specificity per segment (literal beats placeholder, leftmost first), so "/a/new" wins over
  // "/a/{id}" whatever the order they were added in; ties go to the first added.
  std::vector<bool> best_literal;
  for (const Entry& entry : entries_) {
    if (entry.segments.size() != segments->size()) continue;
    std::vector<std::string> params;
    std::vector<bool> literal;
    bool matched = true;
    for (std::size_t i = 0; i < segments->size() && matched; ++i) {
      std::string_view want = entry.segments[i];
      std::string_view got = (*segments)[i];
      if (IsPlaceholder(want)) {
        // In a path '+' stays '+': form encoding applies to queries and bodies only.
        auto decoded = got.empty() ? std::nullopt : PercentDecode(got, PlusMeans::kPlus);
        matched = decoded.has_value();
        if (matched) params.push_back(std::move(*decoded));
        literal.push_back(false);
      } else {
        matched = want == got;
        literal.push_back(true);
      }
    }
    if (!matched) continue;
    best.path_known = true;
    if (entry.method != method) continue;
    if (best.handler != nullptr && !(literal > best_literal)) continue;
    best.handler = &entry.handler;
    best.route = entry.pattern;
    best.path_params = std::move(params);
    best_literal = std::move(literal);
  }
  return best;
}

std::vector<std::string> Router::Patterns() const {
  std::vector<std::string> out;
  for (const Entry& entry : entries_) {
    if (std::find(out.begin(), out.end(), entry.pattern) == out.end()) out.push_back(entry.pattern);
  }
  return out;
}

}  // namespace chorus::http
