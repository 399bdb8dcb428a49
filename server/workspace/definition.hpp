#pragma once

#include <map>
#include <string>
#include <vector>

#include "compliance/compliance_words.hpp"
#include "core/channel.hpp"
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
};

struct KeywordDefinition {
  std::string word;          // folded
  std::string display_word;  // as written
  std::vector<std::string> channels;  // slugs; empty: all channels
  std::string reply;
  bool opt_in = false;
  std::string language;
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
  std::vector<ChannelDefinition> channels;
  std::vector<KeywordDefinition> keywords;
};

}  // namespace chorus::workspace
