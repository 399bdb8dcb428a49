#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "flows/engine.hpp"

namespace chorus::flows {

/// An in-memory flows::Catalog with the rules of workspace::OrganizationCatalog: the active
/// version is the last one added; the longest postal-code prefix wins (a city beats its state);
/// the next event is a chapter's own (the member's chapters or their ancestors) before an
/// organization-wide one, then the soonest.
class FakeCatalog final : public Catalog {
 public:
  /// Adds `flow` as a version and makes it the active one.
  void AddFlow(Flow flow) {
    active_[flow.slug] = flow.version;
    versions_[flow.slug][flow.version] = std::move(flow);
  }

  /// Keeps every version of `slug` but leaves none active.
  void Deactivate(const std::string& slug) { active_.erase(slug); }

  void AddChapter(const std::string& slug, const std::string& name, const std::string& parent,
                  const std::string& country = "", std::vector<std::string> prefixes = {}) {
    chapters_[slug] = ChapterInfo{slug, name, parent};
    rules_[slug] = Rule{country, std::move(prefixes)};
  }

  void AddEvent(EventInfo event) { events_.push_back(std::move(event)); }
  void ClearEvents() { events_.clear(); }

  const Flow* ActiveFlow(const std::string& slug) const override {
    auto it = active_.find(slug);
    return it == active_.end() ? nullptr : FlowVersion(slug, it->second);
  }

  const Flow* FlowVersion(const std::string& slug, int version) const override {
    auto flow = versions_.find(slug);
    if (flow == versions_.end()) return nullptr;
    auto it = flow->second.find(version);
    return it == flow->second.end() ? nullptr : &it->second;
  }

  const ChapterInfo* Chapter(const std::string& slug) const override {
    auto it = chapters_.find(slug);
    return it == chapters_.end() ? nullptr : &it->second;
  }

  const ChapterInfo* ChapterForPostalCode(const std::string& country,
                                          const std::string& code) const override {
    const ChapterInfo* best = nullptr;
    std::size_t best_length = 0;
    for (const auto& [slug, rule] : rules_) {
      if (!rule.country.empty() && !country.empty() && rule.country != country) continue;
      for (const std::string& prefix : rule.prefixes) {
        if (prefix.size() > best_length && code.rfind(prefix, 0) == 0) {
          best = Chapter(slug);
          best_length = prefix.size();
        }
      }
    }
    return best;
  }

  const EventInfo* NextEvent(const std::set<std::string>& chapters, TimePoint now) const override {
    std::set<std::string> scope;
    for (std::string at : chapters) {
      for (int depth = 0; depth < 16 && !at.empty(); ++depth) {
        scope.insert(at);
        const ChapterInfo* chapter = Chapter(at);
        at = chapter ? chapter->parent : "";
      }
    }
    const EventInfo* best = nullptr;
    for (const EventInfo& e : events_) {
      if (e.starts_at < now || (!e.chapter.empty() && !scope.count(e.chapter))) continue;
      const bool local = !e.chapter.empty();
      const bool best_local = best && !best->chapter.empty();
      if (best == nullptr || (local && !best_local) ||
          (local == best_local && e.starts_at < best->starts_at)) {
        best = &e;
      }
    }
    return best;
  }

  const EventInfo* EventById(std::int64_t id) const override {
    for (const EventInfo& e : events_) {
      if (e.id == id) return &e;
    }
    return nullptr;
  }

  const EventInfo* EventBySlug(const std::string& slug) const override {
    for (const EventInfo& e : events_) {
      if (e.slug == slug) return &e;
    }
    return nullptr;
  }

 private:
  struct Rule {
    std::string country;
    std::vector<std::string> prefixes;
  };

  std::map<std::string, std::map<int, Flow>> versions_;
  std::map<std::string, int> active_;
  std::map<std::string, ChapterInfo> chapters_;
  std::map<std::string, Rule> rules_;
  std::vector<EventInfo> events_;  // events_ never grows after a lookup hands out a pointer
};

}  // namespace chorus::flows
