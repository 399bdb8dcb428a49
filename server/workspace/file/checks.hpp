#pragma once

// The checks of each part of a workspace file, over the generated protobuf types. Private to
// workspace/file/: nothing outside sees protobuf.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/struct.pb.h>

#include "chorus/v1/workspace.pb.h"
#include "compliance/compliance_words.hpp"
#include "core/result.hpp"
#include "flows/validate.hpp"
#include "workspace/channel_rules.hpp"
#include "workspace/definition.hpp"
#include "workspace/file/workspace_file.hpp"

namespace chorus::workspace::file {

/// Fills the organization's part of `def`; `words` gets the organization's compliance words.
Result<void> CheckOrganization(const v1::Organization& org, Definition& def,
                               compliance::ComplianceWords& words);

/// A channel's carrier settings may be written as an object named after its carrier
/// ("twilio": {...}); this moves each such object into the channel's `settings` map, before
/// protobuf reads the file, and returns per channel the name the settings were written under
/// ("twilio", or "settings") for error paths. Checks that every setting is a string, so no
/// protobuf error can quote a secret.
Result<std::vector<std::string>> LiftCarrierBlocks(google::protobuf::Struct& workspace,
                                                   const ChannelRules& rules);

Result<ChannelDefinition> CheckChannel(const v1::Channel& in, std::string_view path,
                                       std::string_view settings_name, const EnvLookup& env,
                                       const ChannelRules& rules);

Result<KeywordDefinition> CheckKeyword(const v1::Keyword& in, std::string_view path,
                                       const Definition& def,
                                       const compliance::ComplianceWords& words);
/// A secret as written: the value, or "env:NAME" read from `env`.
Result<std::string> ResolveSecret(const std::string& written, std::string_view path,
                                  const EnvLookup& env);

/// Chapters, flows, events, the organization's webhook secrets, time zone and segment budget;
/// and the flows and chapters keywords name. Runs after the organization, channels and
/// keywords are in `def`.
Result<void> CheckCampaigns(const v1::Workspace& in, const EnvLookup& env, Definition& def);

/// One chapter at `path`; `def` holds the chapters before it (a parent must be among them).
Result<ChapterDefinition> CheckChapter(const v1::Chapter& in, std::string_view path,
                                       const Definition& def);
/// One event at `path`; `def` holds the other events (codes are unique), chapters and
/// settings; `flows` and `chapters` are the slugs it may name.
Result<EventDefinition> CheckEvent(const v1::Event& in, std::string_view path,
                                   const Definition& def, const std::set<std::string>& flows,
                                   const std::set<std::string>& chapters);
/// One flow at `path`, validated against `scope`, with the JSON a version stores.
Result<FlowDefinition> CheckFlow(const v1::Flow& in, std::string_view path,
                                 const flows::ValidationScope& scope);

/// A flow as stored (chorus.v1.Flow JSON) turned into the engine's definition, unvalidated.
Result<flows::Flow> FlowFromProto(const v1::Flow& in, std::string_view path);

/// Whether two keywords listen on a common channel, and how to name a keyword's channels.
bool ScopesOverlap(const KeywordDefinition& a, const KeywordDefinition& b);
std::string ScopeName(const KeywordDefinition& keyword);

}  // namespace chorus::workspace::file
