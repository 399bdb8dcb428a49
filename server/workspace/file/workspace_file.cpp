#include "workspace/file/workspace_file.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <string>
#include <vector>

#include "chorus/v1/workspace.pb.h"
#include "compliance/compliance_words.hpp"
#include "workspace/file/checks.hpp"
#include "workspace/file/file_rules.hpp"
#include "workspace/file/json_errors.hpp"

namespace chorus::workspace {
namespace {

namespace pb = ::chorus::v1;
using compliance::ComplianceWords;
using file::CheckChannel;
using file::CheckKeyword;
using file::CheckOrganization;
using file::Child;
using file::Element;
using file::Invalid;
using file::kFilePath;
using file::LiftCarrierBlocks;
using file::Quoted;
using file::ScopeName;
using file::ScopesOverlap;

Error Translate(const google::protobuf::util::Status& status, std::string_view json) {
  auto message = status.message();
  return file::FromJsonError(std::string_view(message.data(), message.size()), json);
}

}  // namespace

Result<Definition> ParseWorkspaceFile(std::string_view json, const EnvLookup& env,
                                      const ChannelRules& rules) {
  // Read as plain JSON first (syntax errors are reported against the file as written), lift
  // the carrier-named settings objects, then read the result against the schema.
  google::protobuf::Struct tree;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &tree);
  if (!status.ok()) return Translate(status, json);
  CHORUS_ASSIGN_OR_RETURN(std::vector<std::string> settings_names, LiftCarrierBlocks(tree, rules));
  std::string lifted;
  if (!google::protobuf::util::MessageToJsonString(tree, &lifted).ok()) {
    return Invalid(kFilePath, "cannot be read");
  }
  pb::Workspace workspace;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  status = google::protobuf::util::JsonStringToMessage(lifted, &workspace, options);
  if (!status.ok()) return Translate(status, lifted);

  Definition def;
  if (!workspace.has_organization()) return Invalid("organization", "required");
  ComplianceWords words = ComplianceWords::BuiltIn();
  CHORUS_TRY(CheckOrganization(workspace.organization(), def, words));

  for (int i = 0; i < workspace.channels_size(); ++i) {
    std::string path = Element("channels", i);
    CHORUS_ASSIGN_OR_RETURN(
        ChannelDefinition channel,
        CheckChannel(workspace.channels(i), path, settings_names.at(i), env, rules));
    for (std::size_t j = 0; j < def.channels.size(); ++j) {
      if (def.channels[j].slug == channel.slug) {
        return Invalid(Child(path, "slug"),
                       Quoted(channel.slug) + " is already used by " + Element("channels", j));
      }
    }
    def.channels.push_back(std::move(channel));
  }

  for (int i = 0; i < workspace.keywords_size(); ++i) {
    std::string path = Element("keywords", i);
    CHORUS_ASSIGN_OR_RETURN(KeywordDefinition keyword,
                            CheckKeyword(workspace.keywords(i), path, def, words));
    for (std::size_t j = 0; j < def.keywords.size(); ++j) {
      const KeywordDefinition& other = def.keywords[j];
      if (other.word == keyword.word && other.qualifier == keyword.qualifier &&
          ScopesOverlap(other, keyword)) {
        return Invalid(Child(path, "word"), Quoted(keyword.display_word) + " is already " +
                                                Element("keywords", j) + " on " + ScopeName(other) +
                                                "; a word can have one keyword per channel");
      }
    }
    def.keywords.push_back(std::move(keyword));
  }
  CHORUS_TRY(file::CheckCampaigns(workspace, env, def));
  return def;
}

}  // namespace chorus::workspace
