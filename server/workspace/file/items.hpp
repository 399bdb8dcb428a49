#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "workspace/channel_rules.hpp"
#include "workspace/definition.hpp"
#include "workspace/workspace_editor.hpp"

namespace chorus::workspace {

/// One item of a workspace as the organizer API receives it: the same JSON object as in a
/// workspace file (proto/chorus/v1/workspace.proto), checked by the same rules as `chorus
/// apply` against what the organization already has (`context`: WorkspaceEditor::Context,
/// without the item being replaced). A problem is kInvalidArgument "path: problem", the path
/// from the object's root ("reply: required"); a keyword whose word another keyword already
/// has on one of its channels is kConflict.
/// A channel: the file's object with its carrier settings and credentials in `settings` (an
/// "env:NAME" credential is refused: the server's environment is not the organizer's).
/// `stored` fills credentials the body leaves out (a replace keeps them); the carrier checks
/// the whole. Errors never quote a credential.
Result<ChannelDefinition> ParseChannelItem(std::string_view json, const ChannelRules& rules,
                                           const std::map<std::string, std::string>& stored = {});
Result<KeywordDefinition> ParseKeywordItem(std::string_view json, const Definition& context);
Result<ChapterDefinition> ParseChapterItem(std::string_view json, const Definition& context);
Result<EventDefinition> ParseEventItem(std::string_view json, const Definition& context);
Result<FlowDefinition> ParseFlowItem(std::string_view json, const Definition& context);

/// The organization's settings as an organizer edits them: a name, a default language with
/// texts, language tags for every text's language, texts no longer than a message, quiet
/// hours as "HH:MM". (The time zone is checked by the store, against PostgreSQL's zones.)
Result<void> CheckSettings(const Settings& settings);

/// The items as the same JSON objects (what the API returns).
std::string KeywordJson(const KeywordDefinition& keyword);
/// Settings only: credentials never leave the server.
std::string ChannelJson(const ChannelDefinition& channel);
std::string ChapterJson(const ChapterDefinition& chapter);
std::string EventJson(const EventDefinition& event);

}  // namespace chorus::workspace
