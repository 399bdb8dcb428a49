#include <algorithm>
#include <cctype>
#include <optional>

#include "core/phone_number.hpp"
#include "workspace/file/checks.hpp"
#include "workspace/file/file_rules.hpp"

namespace chorus::workspace::file {
namespace {

namespace pb = ::chorus::v1;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr double kMaxSegmentsPerSecond = 10000;
constexpr std::string_view kEnvPrefix = "env:";
constexpr std::string_view kSettings = "settings";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsShortCode(std::string_view s) { return s.size() >= 3 && s.size() <= 8 && IsDigits(s); }

std::string KindList(const ChannelRules& rules) {
  std::string out;
  for (const auto& kind : rules.Kinds()) out += (out.empty() ? "" : ", ") + kind;
  return out;
}

// Every value of a settings object must be a string; the value is never quoted (it may be a
// credential).
Result<void> CheckStrings(const Struct& settings, std::string_view path) {
  for (const auto& [name, value] : settings.fields()) {
    if (value.kind_case() != Value::kStringValue) {
      return Invalid(Child(path, name), "expected a string");
    }
  }
  return Ok();
}

// Moves the object named after channel `i`'s carrier into its `settings` map.
Result<std::string> LiftOne(Struct& channel, std::string_view path, const ChannelRules& rules) {
  auto& fields = *channel.mutable_fields();
  if (auto settings = fields.find(std::string(kSettings));
      settings != fields.end() && settings->second.kind_case() == Value::kStructValue) {
    CHORUS_TRY(CheckStrings(settings->second.struct_value(), Child(path, kSettings)));
  }
  auto carrier = fields.find("carrier");
  if (carrier != fields.end() && carrier->second.kind_case() != Value::kStringValue) {
    return Invalid(Child(path, "carrier"),
                   "expected a string naming the carrier (one of " + KindList(rules) + ")");
  }
  if (carrier == fields.end()) {
    // Settings written under a carrier's name, without saying which carrier the channel is.
    for (const auto& known : rules.Kinds()) {
      if (fields.count(known) != 0) {
        return Invalid(Child(path, "carrier"), "required (one of " + KindList(rules) + ")");
      }
    }
    return std::string(kSettings);  // protobuf or CheckChannel says what is wrong
  }
  const std::string kind = Lower(carrier->second.string_value());
  if (kind.empty()) return std::string(kSettings);
  if (!rules.SettingsOf(kind)) {
    return Invalid(Child(path, "carrier"), "unknown carrier " +
                                               Quoted(carrier->second.string_value()) +
                                               " (expected one of " + KindList(rules) + ")");
  }
  auto block = fields.find(kind);
  if (block == fields.end()) return std::string(kSettings);
  const std::string block_path = Child(path, kind);
  if (block->second.kind_case() != Value::kStructValue) {
    return Invalid(block_path, "expected an object of the carrier's settings");
  }
  CHORUS_TRY(CheckStrings(block->second.struct_value(), block_path));
  Struct lifted = block->second.struct_value();
  fields.erase(block);
  Struct& settings = *fields[std::string(kSettings)].mutable_struct_value();
  for (const auto& [name, value] : lifted.fields()) {
    if (settings.fields().count(name) != 0) {
      return Invalid(Child(block_path, name), "is also given in " + Child(path, kSettings));
    }
    (*settings.mutable_fields())[name] = value;
  }
  return kind;
}

// "env:NAME" reads the secret from the environment of `chorus apply`; nothing below quotes it.
Result<std::string> SecretValue(const std::string& written, std::string_view path,
                                const EnvLookup& env) {
  std::string_view value = written;
  if (!value.starts_with(kEnvPrefix)) return written;
  std::string_view name = value.substr(kEnvPrefix.size());
  if (!IsEnvName(name)) {
    return Invalid(path, "\"env:\" must be followed by an environment variable name");
  }
  std::optional<std::string> resolved = env ? env(name) : std::nullopt;
  if (!resolved) return Invalid(path, "environment variable " + std::string(name) + " is not set");
  if (IsBlank(*resolved)) {
    return Invalid(path, "environment variable " + std::string(name) + " is empty");
  }
  return *resolved;
}

// Sorts the written settings into settings and secrets by the carrier's own list, then lets
// the carrier check them (its messages start with the setting's name).
Result<void> CheckSettings(const pb::Channel& in, std::string_view settings_path,
                           const EnvLookup& env, const ChannelRules& rules,
                           ChannelDefinition& channel) {
  const std::vector<ChannelSettingSpec> specs = *rules.SettingsOf(channel.carrier);
  const bool needs_some = std::any_of(specs.begin(), specs.end(),
                                      [](const ChannelSettingSpec& s) { return s.required; });
  if (in.settings().empty() && needs_some) {
    std::string required;
    for (const auto& s : specs) {
      if (s.required) required += (required.empty() ? "" : ", ") + s.name;
    }
    // Point at the carrier-named object, the usual way to write them.
    const std::string_view channel_path =
        settings_path.substr(0, settings_path.rfind('.'));
    return Invalid(Child(channel_path, channel.carrier),
                   "required: the " + channel.carrier + " settings (" + required + ")");
  }
  std::vector<std::string> names;
  for (const auto& [name, value] : in.settings()) names.push_back(name);
  std::sort(names.begin(), names.end());  // the first problem is the same every run
  for (const std::string& name : names) {
    const std::string path = Child(settings_path, name);
    auto spec = std::find_if(specs.begin(), specs.end(),
                             [&](const ChannelSettingSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + s.name;
      return Invalid(path, "unknown setting for carrier " + channel.carrier + " (expected " +
                               known + ")");
    }
    const std::string& written = in.settings().at(name);
    if (spec->secret) {
      if (IsBlank(written)) return Invalid(path, "required");
      CHORUS_ASSIGN_OR_RETURN(channel.secrets[name], SecretValue(written, path, env));
    } else {
      channel.settings[name] = written;
    }
  }
  Channel check;
  check.carrier = channel.carrier;
  check.sender = channel.sender;
  check.settings = channel.settings;
  check.secrets = channel.secrets;
  if (auto valid = rules.Validate(check); !valid.ok()) {
    // "account_sid: required" becomes "channels[0].twilio.account_sid: required".
    return MakeError(ErrorCode::kInvalidArgument,
                     Child(settings_path, valid.error().message));
  }
  channel.settings = std::move(check.settings);  // with the carrier's defaults
  return Ok();
}

}  // namespace

Result<std::string> ResolveSecret(const std::string& written, std::string_view path,
                                  const EnvLookup& env) {
  return SecretValue(written, path, env);
}

Result<std::vector<std::string>> LiftCarrierBlocks(Struct& workspace, const ChannelRules& rules) {
  std::vector<std::string> names;
  auto channels = workspace.mutable_fields()->find("channels");
  if (channels == workspace.mutable_fields()->end() ||
      channels->second.kind_case() != Value::kListValue) {
    return names;  // protobuf reports what is wrong with it
  }
  auto& list = *channels->second.mutable_list_value()->mutable_values();
  for (int i = 0; i < list.size(); ++i) {
    if (list[i].kind_case() != Value::kStructValue) {
      names.emplace_back(kSettings);
      continue;
    }
    CHORUS_ASSIGN_OR_RETURN(std::string name,
                            LiftOne(*list[i].mutable_struct_value(), Element("channels", i), rules));
    names.push_back(std::move(name));
  }
  return names;
}

Result<ChannelDefinition> CheckChannel(const pb::Channel& in, std::string_view path,
                                       std::string_view settings_name, const EnvLookup& env,
                                       const ChannelRules& rules) {
  ChannelDefinition channel;
  channel.slug = in.slug();
  if (channel.slug.empty()) return Invalid(Child(path, "slug"), "required");
  if (!IsSlug(channel.slug)) return Invalid(Child(path, "slug"), kSlugProblem);

  // Written "TWILIO" by files from before carriers were pluggable: kinds are case-insensitive.
  channel.carrier = Lower(in.carrier());
  if (channel.carrier.empty()) {
    return Invalid(Child(path, "carrier"), "required (one of " + KindList(rules) + ")");
  }
  if (!rules.SettingsOf(channel.carrier)) {
    return Invalid(Child(path, "carrier"), "unknown carrier " + Quoted(in.carrier()) +
                                               " (expected one of " + KindList(rules) + ")");
  }

  channel.sender = in.sender();
  if (channel.sender.empty()) return Invalid(Child(path, "sender"), "required");
  if (!LooksLikeE164(channel.sender) && !IsShortCode(channel.sender)) {
    return Invalid(Child(path, "sender"),
                   "must be an E.164 number (+ then 8 to 15 digits, as in \"+15550100000\") or a "
                   "short code of 3 to 8 digits");
  }

  channel.country = in.country();
  if (channel.country.empty()) return Invalid(Child(path, "country"), "required");
  if (channel.country.size() != 2 || !IsUpperLetters(channel.country)) {
    return Invalid(Child(path, "country"),
                   "must be an ISO 3166-1 alpha-2 code in capitals, such as \"US\"");
  }

  channel.segments_per_second = in.segments_per_second() == 0 ? 1.0 : in.segments_per_second();
  // Written so that NaN fails too.
  if (!(channel.segments_per_second > 0 && channel.segments_per_second <= kMaxSegmentsPerSecond)) {
    return Invalid(Child(path, "segments_per_second"), "must be greater than 0 and at most 10000");
  }

  channel.segment_price = in.segment_price();
  if (!(channel.segment_price >= 0 && channel.segment_price < 1000)) {
    return Invalid(Child(path, "segment_price"), "must be 0 (unknown) or a price below 1000");
  }
  channel.currency = in.currency();
  if (!channel.currency.empty() && (channel.currency.size() != 3 || !IsUpperLetters(channel.currency))) {
    return Invalid(Child(path, "currency"), "must be an ISO 4217 code in capitals, such as \"USD\"");
  }

  CHORUS_TRY(CheckSettings(in, Child(path, settings_name), env, rules, channel));
  return channel;
}

}  // namespace chorus::workspace::file
