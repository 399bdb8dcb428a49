#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/ids.hpp"
#include "flows/engine.hpp"
#include "flows/flow.hpp"

namespace chorus::workspace {

/// A local group: national -> state -> city. Members are placed in one by a flow (postal code
/// rule, or a choice) or by an organizer.
struct Chapter {
  OrganizationId organization_id = 0;
  std::int64_t id = 0;
  std::string slug;
  std::string name;
  std::string parent;                     // slug; "" for a root
  std::string country;                    // the postal codes' country ("US", "IN")
  std::vector<std::string> postal_codes;  // prefixes: "100" covers 10001
  std::string time_zone;                  // IANA zone of its members ("" inherits)
};

/// An event: a title per language, a start in a time zone, a place, a chapter, a check-in code,
/// and the flows attendees and absent RSVPs start a while after it.
struct Event : flows::EventInfo {
  OrganizationId organization_id = 0;
  std::string time_zone;
  TimePoint ends_at;
  std::string checkin_code;  // digits; "HERE 4821", or the code alone while the event is on
  std::chrono::seconds follow_up_after{0};  // after ends_at
  std::string attended_flow;
  std::string absent_flow;
  flows::LocalizedText checked_in_text;  // the answer to a check-in, by language
};

/// Flows (every stored version, and which is active), chapters and events of every
/// organization; part of the workspace snapshot.
struct Campaigns {
  std::vector<Chapter> chapters;
  std::vector<flows::Flow> flows;
  std::map<std::pair<OrganizationId, std::string>, int> active_versions;
  std::vector<Event> events;
};

/// One organization's view of Campaigns, as the flow engine asks for it.
class OrganizationCatalog final : public flows::Catalog {
 public:
  OrganizationCatalog() = default;
  void AddChapter(const workspace::Chapter* chapter);
  void AddFlow(const flows::Flow* flow);
  void SetActive(const std::string& slug, int version) { active_[slug] = version; }
  void AddEvent(const Event* event);

  const flows::Flow* ActiveFlow(const std::string& slug) const override;
  const flows::Flow* FlowVersion(const std::string& slug, int version) const override;
  const flows::ChapterInfo* Chapter(const std::string& slug) const override;
  const flows::ChapterInfo* ChapterForPostalCode(const std::string& country,
                                                 const std::string& code) const override;
  const flows::EventInfo* NextEvent(const std::set<std::string>& chapters,
                                    TimePoint now) const override;
  const flows::EventInfo* EventById(std::int64_t id) const override;
  const flows::EventInfo* EventBySlug(const std::string& slug) const override;

  const workspace::Chapter* ChapterBySlug(const std::string& slug) const;
  const Event* FullEvent(std::int64_t id) const;
  /// Events on now (between an hour before the start and the end) whose code is `code`.
  const Event* EventWithCode(const std::string& code, TimePoint now) const;
  const std::vector<const Event*>& events() const { return events_; }
  /// The time zone of the member's most specific chapter with one ("" when none).
  std::string TimeZoneFor(const std::set<std::string>& chapters) const;

 private:
  std::map<std::string, const workspace::Chapter*> chapters_;
  std::map<std::string, flows::ChapterInfo> chapter_infos_;
  std::map<std::pair<std::string, int>, const flows::Flow*> flows_;
  std::map<std::string, int> active_;
  std::vector<const Event*> events_;
};

}  // namespace chorus::workspace
