#pragma once

#include <set>
#include <string>
#include <vector>

#include "flows/flow.hpp"

namespace chorus::flows {

/// What a flow may refer to, and the organization's rules for its texts.
struct ValidationScope {
  std::set<std::string> languages;  // every text needs these (the default language); also
                                    // every language any text of the flow has
  std::set<std::string> flows;      // slugs enter_flow may name (this flow included)
  std::set<std::string> chapters;
  std::set<std::string> events;
  std::set<std::string> secrets;  // webhook signing secrets the organization has
  int segment_budget = 4;         // the most SMS segments one text may cost
};

struct ValidationError {
  std::string step;     // the step's id; "" for the flow itself
  std::string message;  // names what is wrong, never member data
};

/// Every problem of `flow` (pure): duplicate or missing step ids, dangling references
/// (steps, flows, chapters, events, secrets), unreachable steps, loops that never wait for the
/// member or a timer, missing language variants, unknown merge fields, texts over the segment
/// budget (merge fields counted at 10 characters or their fallback), and invalid settings.
std::vector<ValidationError> Validate(const Flow& flow, const ValidationScope& scope);

}  // namespace chorus::flows
