#include "workspace/campaigns.hpp"

namespace chorus::workspace {
namespace {

constexpr int kMaxDepth = 16;

}  // namespace

void OrganizationCatalog::AddChapter(const workspace::Chapter* chapter) {
  chapters_[chapter->slug] = chapter;
  chapter_infos_[chapter->slug] = flows::ChapterInfo{chapter->slug, chapter->name, chapter->parent};
}

void OrganizationCatalog::AddFlow(const flows::Flow* flow) {
  flows_[{flow->slug, flow->version}] = flow;
}

void OrganizationCatalog::AddEvent(const Event* event) { events_.push_back(event); }

const flows::Flow* OrganizationCatalog::ActiveFlow(const std::string& slug) const {
  auto it = active_.find(slug);
  return it == active_.end() ? nullptr : FlowVersion(slug, it->second);
}

const flows::Flow* OrganizationCatalog::FlowVersion(const std::string& slug, int version) const {
  auto it = flows_.find({slug, version});
  return it == flows_.end() ? nullptr : it->second;
}

const flows::ChapterInfo* OrganizationCatalog::Chapter(const std::string& slug) const {
  auto it = chapter_infos_.find(slug);
  return it == chapter_infos_.end() ? nullptr : &it->second;
}

const workspace::Chapter* OrganizationCatalog::ChapterBySlug(const std::string& slug) const {
  auto it = chapters_.find(slug);
  return it == chapters_.end() ? nullptr : it->second;
}

// The longest matching prefix wins, so a city rule beats its state's.
const flows::ChapterInfo* OrganizationCatalog::ChapterForPostalCode(const std::string& country,
                                                                    const std::string& code) const {
  const flows::ChapterInfo* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& [slug, chapter] : chapters_) {
    if (!chapter->country.empty() && !country.empty() && chapter->country != country) continue;
    for (const std::string& prefix : chapter->postal_codes) {
      if (prefix.size() > best_length && code.rfind(prefix, 0) == 0) {
        best = Chapter(slug);
        best_length = prefix.size();
      }
    }
  }
  return best;
}

const flows::EventInfo* OrganizationCatalog::NextEvent(const std::set<std::string>& chapters,
                                                       TimePoint now) const {
  std::set<std::string> scope;  // the member's chapters and their ancestors
  for (const std::string& slug : chapters) {
    std::string at = slug;
    for (int d = 0; d < kMaxDepth && !at.empty(); ++d) {
      scope.insert(at);
      const flows::ChapterInfo* c = Chapter(at);
      at = c ? c->parent : "";
    }
  }
  const Event* best = nullptr;
  for (const Event* e : events_) {
    if (e->starts_at < now) continue;
    if (!e->chapter.empty() && !scope.count(e->chapter)) continue;
    // A chapter's own event beats an organization-wide one; then the soonest.
    const bool local = !e->chapter.empty();
    const bool best_local = best && !best->chapter.empty();
    if (best == nullptr || (local && !best_local) ||
        (local == best_local && e->starts_at < best->starts_at)) {
      best = e;
    }
  }
  return best;
}

const flows::EventInfo* OrganizationCatalog::EventById(std::int64_t id) const {
  return FullEvent(id);
}

const Event* OrganizationCatalog::FullEvent(std::int64_t id) const {
  for (const Event* e : events_) {
    if (e->id == id) return e;
  }
  return nullptr;
}

const flows::EventInfo* OrganizationCatalog::EventBySlug(const std::string& slug) const {
  for (const Event* e : events_) {
    if (e->slug == slug) return e;
  }
  return nullptr;
}

const Event* OrganizationCatalog::EventWithCode(const std::string& code, TimePoint now) const {
  for (const Event* e : events_) {
    if (e->checkin_code.empty() || e->checkin_code != code) continue;
    if (now >= e->starts_at - std::chrono::hours(1) && now <= e->ends_at) return e;
  }
  return nullptr;
}

std::string OrganizationCatalog::TimeZoneFor(const std::set<std::string>& chapters) const {
  std::string zone;
  int best_depth = -1;
  for (const std::string& slug : chapters) {
    std::string at = slug;
    for (int d = 0; d < kMaxDepth && !at.empty(); ++d) {
      const workspace::Chapter* c = ChapterBySlug(at);
      if (c == nullptr) break;
      if (!c->time_zone.empty()) {
        // Depth of the chapter the member is in, not of the ancestor with the zone.
        if (best_depth < 0 || d == 0) zone = c->time_zone, best_depth = 0;
        break;
      }
      at = c->parent;
    }
  }
  return zone;
}

}  // namespace chorus::workspace
