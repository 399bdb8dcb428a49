#pragma once

#include <map>
#include <string>
#include <vector>

#include "compliance/compliance_words.hpp"
#include "core/channel.hpp"
#include "flows/flow.hpp"
#include "workspace/workspace.hpp"

namespace chorus::workspace {

/// A validated workspace file: what `chorus apply` makes true in the database.
struct ChannelDefinition {
  std::string slug;
  std::string carrier;  // a registered kind ("twilio")
  std::string sender;
  std::string country;
  double segments_per_second = 1.0;
  std::map<std::string, std::string> settings;
  std::map<std::string, std::string> secrets;
  double segment_price = 0;  // for broadcast cost estimates; 0: unknown
  std::string currency;
};

struct KeywordDefinition {
  std::string word;          // folded
  std::string display_word;  // as written
  std::vector<std::string> channels;  // slugs; empty: all channels
  std::string reply;
  bool opt_in = false;
  std::string language;
  std::string qualifier;  // folded ("pune" in JOIN PUNE); "" for none
  std::string flow;       // slug of the flow it starts
  std::string chapter;    // slug of the chapter it places the member in
};

struct ChapterDefinition {
  std::string slug;
  std::string name;
  std::string parent;
  std::vector<std::string> postal_codes;
  std::string country;
  std::string time_zone;
};

struct EventDefinition {
  std::string slug;
  flows::LocalizedText title;
  std::string starts_local;  // "2026-12-05T10:00" in time_zone
  std::string ends_local;
  std::string time_zone;
  std::string place;
  std::string chapter;
  std::string checkin_code;
  int follow_up_after_seconds = 0;
  std::string attended_flow;
  std::string absent_flow;
  flows::LocalizedText checked_in_text;
};

struct FlowDefinition {
  flows::Flow flow;
  std::string json;  // the flow as chorus.v1.Flow JSON: what a version stores
};

struct ComplianceWordDefinition {
  std::string word;
  compliance::Intent intent = compliance::Intent::kOptOut;
  std::string language;
};

struct Definition {
  std::string slug;
  std::string name;
  std::string default_language = "en";
  std::map<std::string, Texts> texts;  // holds default_language
  std::vector<ComplianceWordDefinition> compliance_words;
  int loop_guard_max = 3;
  int loop_guard_window_seconds = 3600;
  int message_body_retention_days = 90;
  std::string time_zone = "UTC";
  std::map<std::string, std::string> webhook_secrets;
  int segment_budget = 4;
  std::vector<ChannelDefinition> channels;
  std::vector<KeywordDefinition> keywords;
  std::vector<ChapterDefinition> chapters;  // parents before children
  std::vector<FlowDefinition> flows;
  std::vector<EventDefinition> events;
};

}  // namespace chorus::workspace
