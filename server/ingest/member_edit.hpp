#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace chorus::ingest {

/// An organizer's edit of a member's fields and tags (PATCH /v1/members/{id}), carried by an
/// organizer_update member event so it is applied in order with the member's own messages.
struct MemberEdit {
  std::map<std::string, std::string> fields;  // set to these values ("" sets it empty)
  std::set<std::string> add_tags;
  std::set<std::string> remove_tags;
};

/// Field names as flows use them (save_as): 1-63 of a-z, 0-9 and _. Tags: also -.
bool IsMemberFieldName(std::string_view name);
bool IsMemberTag(std::string_view tag);
/// A field value: at most 500 bytes, no control characters.
bool IsMemberFieldValue(std::string_view value);

/// The event's text form: one line per change ("f\tNAME\tVALUE", "+\tTAG", "-\tTAG"). Only
/// edits whose names, tags and values pass the checks above encode unambiguously.
std::string EncodeMemberEdit(const MemberEdit& edit);
/// nullopt for text EncodeMemberEdit did not make.
std::optional<MemberEdit> DecodeMemberEdit(std::string_view text);

}  // namespace chorus::ingest
