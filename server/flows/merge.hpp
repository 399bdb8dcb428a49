#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::flows {

/// A merge field as written: {{name}} or {{name|fallback}}.
struct MergeField {
  std::string name;      // "first_name", "fields.zip", "chapter.name", "org.name", "event.title"
  std::string fallback;  // used when the value is empty
};

/// A run of `text`: literal text, or a merge field.
struct MergePart {
  std::string literal;
  std::optional<MergeField> field;
};

/// `text` as its literal runs and fields, in order (what a broadcast compiles to SQL).
std::vector<MergePart> SplitMergeFields(std::string_view text);

/// Every merge field of `text`, in order. An unterminated "{{" is not a field.
std::vector<MergeField> MergeFields(std::string_view text);

/// True when `name` is one the engine can fill: the names above, or fields.NAME with NAME of
/// a-z, 0-9, _ and -.
bool IsKnownMergeField(std::string_view name);

/// `text` with each field replaced by `lookup(name)` (nullopt or empty: its fallback).
std::string Render(std::string_view text,
                   const std::function<std::optional<std::string>(const std::string&)>& lookup);

}  // namespace chorus::flows
