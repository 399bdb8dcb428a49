#include "workspace/file/items.hpp"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <set>

#include "chorus/v1/workspace.pb.h"
#include "core/segments.hpp"
#include "core/text.hpp"
#include "workspace/file/checks.hpp"
#include "workspace/file/file_rules.hpp"
#include "workspace/file/json_errors.hpp"

namespace chorus::workspace {
namespace {

namespace pb = ::chorus::v1;
using file::Child;
using file::Invalid;
using file::Quoted;

template <typename Message>
Result<Message> Read(std::string_view json) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &message, options);
  if (!status.ok()) {
    const auto text = status.message();
    return file::FromJsonError(std::string_view(text.data(), text.size()), json);
  }
  return message;
}

template <typename Message>
std::string Write(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

compliance::ComplianceWords WordsOf(const Definition& context) {
  compliance::ComplianceWords words = compliance::ComplianceWords::BuiltIn();
  for (const auto& w : context.compliance_words) words.Add(w.intent, w.word, w.language);
  return words;
}

std::set<std::string> Slugs(const Definition& context, bool flows) {
  std::set<std::string> out;
  if (flows) {
    for (const auto& f : context.flows) out.insert(f.flow.slug);
  } else {
    for (const auto& c : context.chapters) out.insert(c.slug);
  }
  return out;
}

void SetTexts(const flows::LocalizedText& from, google::protobuf::Map<std::string, std::string>* to) {
  for (const auto& [language, text] : from) (*to)[language] = text;
}

}  // namespace

Result<ChannelDefinition> ParseChannelItem(std::string_view json, const ChannelRules& rules,
                                           const std::map<std::string, std::string>& stored) {
  // Every setting a string before protobuf reads them, so no error of its can quote a secret.
  CHORUS_ASSIGN_OR_RETURN(google::protobuf::Struct tree, Read<google::protobuf::Struct>(json));
  if (auto settings = tree.fields().find("settings"); settings != tree.fields().end()) {
    if (!settings->second.has_struct_value()) return Invalid("settings", "must be an object");
    for (const auto& [name, value] : settings->second.struct_value().fields()) {
      if (!value.has_string_value()) {
        return Invalid(file::Entry("settings", name), "must be a string");
      }
    }
  }
  CHORUS_ASSIGN_OR_RETURN(pb::Channel in, Read<pb::Channel>(json));
  for (const auto& [name, value] : stored) in.mutable_settings()->insert({name, value});
  const EnvLookup no_environment = [](std::string_view) { return std::nullopt; };
  return file::CheckChannel(in, "", "settings", no_environment, rules);
}

Result<KeywordDefinition> ParseKeywordItem(std::string_view json, const Definition& context) {
  CHORUS_ASSIGN_OR_RETURN(pb::Keyword in, Read<pb::Keyword>(json));
  if (in.channels_size() > 1) {
    return Invalid("channels", "one channel per keyword here (or none: every channel); create one "
                               "keyword per channel");
  }
  CHORUS_ASSIGN_OR_RETURN(KeywordDefinition keyword,
                          file::CheckKeyword(in, "", context, WordsOf(context)));
  for (const KeywordDefinition& other : context.keywords) {
    if (other.word == keyword.word && other.qualifier == keyword.qualifier &&
        file::ScopesOverlap(other, keyword)) {
      return MakeError(ErrorCode::kConflict,
                       "word: " + Quoted(keyword.display_word) + " is already a keyword on " +
                           file::ScopeName(other) + "; a word can have one keyword per channel");
    }
  }
  if (!keyword.flow.empty() && !Slugs(context, true).count(keyword.flow)) {
    return Invalid("flow", "no flow " + Quoted(keyword.flow));
  }
  if (!keyword.chapter.empty() && !Slugs(context, false).count(keyword.chapter)) {
    return Invalid("chapter", "no chapter " + Quoted(keyword.chapter));
  }
  return keyword;
}

Result<ChapterDefinition> ParseChapterItem(std::string_view json, const Definition& context) {
  CHORUS_ASSIGN_OR_RETURN(pb::Chapter in, Read<pb::Chapter>(json));
  // The chapter's own row is not in `context`: a parent found by walking up from the new
  // parent to this slug would make a cycle.
  std::string up = in.parent() == in.slug() ? "" : in.parent();
  for (std::size_t steps = 0; !up.empty() && steps <= context.chapters.size(); ++steps) {
    if (up == in.slug() && !in.slug().empty()) {
      return Invalid("parent", Quoted(in.parent()) + " is below this chapter");
    }
    auto it = std::find_if(context.chapters.begin(), context.chapters.end(),
                           [&](const ChapterDefinition& c) { return c.slug == up; });
    up = it == context.chapters.end() ? "" : it->parent;
  }
  return file::CheckChapter(in, "", context);
}

Result<EventDefinition> ParseEventItem(std::string_view json, const Definition& context) {
  CHORUS_ASSIGN_OR_RETURN(pb::Event in, Read<pb::Event>(json));
  return file::CheckEvent(in, "", context, Slugs(context, true), Slugs(context, false));
}

Result<FlowDefinition> ParseFlowItem(std::string_view json, const Definition& context) {
  CHORUS_ASSIGN_OR_RETURN(pb::Flow in, Read<pb::Flow>(json));
  flows::ValidationScope scope;
  scope.languages.insert(context.default_language);
  scope.flows = Slugs(context, true);
  scope.flows.insert(in.slug());
  scope.chapters = Slugs(context, false);
  for (const auto& e : context.events) scope.events.insert(e.slug);
  for (const auto& [name, value] : context.webhook_secrets) scope.secrets.insert(name);
  scope.segment_budget = context.segment_budget;
  return file::CheckFlow(in, "", scope);
}

Result<void> CheckSettings(const Settings& s) {
  if (file::IsBlank(s.name)) return Invalid("name", "required");
  if (s.name.size() > 200) return Invalid("name", "at most 200 characters");
  if (!file::IsLanguageTag(s.default_language)) {
    return Invalid("default_language", "must be a language tag (en, es, pt-BR)");
  }
  for (const auto& [field, time] : {std::pair{"quiet_hours.start", s.quiet_hours_start},
                                    std::pair{"quiet_hours.end", s.quiet_hours_end}}) {
    const bool shape = time.size() == 5 && time[2] == ':' && file::IsDigits(time.substr(0, 2)) &&
                       file::IsDigits(time.substr(3));
    if (!shape || std::stoi(time.substr(0, 2)) > 23 || std::stoi(time.substr(3)) > 59) {
      return Invalid(field, "must be a time of day \"21:00\"");
    }
  }
  if (!s.texts.count(s.default_language)) {
    return Invalid("texts", "needs the default language " + Quoted(s.default_language));
  }
  for (const auto& [language, t] : s.texts) {
    const std::string at = file::Entry("texts", language);
    if (!file::IsLanguageTag(language)) return Invalid(at, "must be a language tag (en, es, pt-BR)");
    for (const auto& [name, text] :
         {std::pair{"help", &t.help}, std::pair{"opt_out_confirmation", &t.opt_out_confirmation},
          std::pair{"opt_out_all_confirmation", &t.opt_out_all_confirmation},
          std::pair{"opt_in_confirmation", &t.opt_in_confirmation},
          std::pair{"default_reply", &t.default_reply}}) {
      if (CountCodePoints(*text) > kMaxMessageCharacters) {
        return Invalid(Child(at, name), file::TooLong(kMaxMessageCharacters, CountCodePoints(*text),
                                                      "the longest message Chorus sends"));
      }
    }
  }
  return Ok();
}

std::string KeywordJson(const KeywordDefinition& k) {
  pb::Keyword out;
  out.set_word(k.display_word);
  for (const auto& c : k.channels) out.add_channels(c);
  out.set_reply(k.reply);
  out.set_opt_in(k.opt_in);
  out.set_language(k.language);
  out.set_flow(k.flow);
  out.set_chapter(k.chapter);
  // display_word holds "JOIN PUNE" when written as two words; else the qualifier is its own.
  if (k.display_word.find(' ') == std::string::npos) out.set_qualifier(k.qualifier);
  return Write(out);
}

std::string ChannelJson(const ChannelDefinition& c) {
  pb::Channel out;
  out.set_slug(c.slug);
  out.set_carrier(c.carrier);
  out.set_sender(c.sender);
  out.set_country(c.country);
  out.set_segments_per_second(c.segments_per_second);
  out.set_segment_price(c.segment_price);
  out.set_currency(c.currency);
  for (const auto& [name, value] : c.settings) (*out.mutable_settings())[name] = value;
  return Write(out);
}

std::string ChapterJson(const ChapterDefinition& c) {
  pb::Chapter out;
  out.set_slug(c.slug);
  out.set_name(c.name);
  out.set_parent(c.parent);
  for (const auto& code : c.postal_codes) out.add_postal_codes(code);
  out.set_country(c.country);
  out.set_time_zone(c.time_zone);
  return Write(out);
}

std::string EventJson(const EventDefinition& e) {
  pb::Event out;
  out.set_slug(e.slug);
  SetTexts(e.title, out.mutable_title());
  out.set_starts_at(e.starts_local);
  out.set_ends_at(e.ends_local);
  out.set_time_zone(e.time_zone);
  out.set_place(e.place);
  out.set_chapter(e.chapter);
  out.set_checkin_code(e.checkin_code);
  out.set_follow_up_after_minutes(static_cast<std::uint32_t>(e.follow_up_after_seconds / 60));
  out.set_attended_flow(e.attended_flow);
  out.set_absent_flow(e.absent_flow);
  SetTexts(e.checked_in_text, out.mutable_checked_in_text());
  return Write(out);
}

}  // namespace chorus::workspace
