#include "app/cli.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/access.hpp"
#include "app/serve.hpp"
#include "app/sim.hpp"
#include "observability/logging.hpp"
#include "store/pg/migrations.hpp"
#include "store/pg/pg_api_store.hpp"
#include "store/pg/pg_workspace_store.hpp"
#include "app/carriers.hpp"
#include "app/secret_keys.hpp"
#include "workspace/file/workspace_file.hpp"

namespace chorus::app {
namespace {

constexpr const char* kUsage = R"(usage: chorus [--config FILE] COMMAND

commands:
  serve                     run the gateway (settings: CHORUS_* environment variables)
  migrate                   apply the database migrations this binary carries
  apply FILE                load a workspace definition (JSON, proto/chorus/v1/workspace.proto)
  sim [--from NUMBER] [--channel SLUG] [--wait SECONDS] TEXT
                            text the running server as a member and show the replies
  secrets keygen [ID]       print a new key line for the key file (CHORUS_SECRETS_KEY_FILE)
  secrets rekey             seal every channel's credentials and webhook secret again under
                            the newest key
  token create --org SLUG --role ROLE [--chapter SLUG] [--name NAME]
                            create an organizer API token (roles: owner, organizer,
                            chapter_leader with --chapter, viewer) and print it once
  version                   print the version

See README.md and docs/CONFIG.md.
)";

int Fail(std::string_view command, std::string_view message, int code) {
  std::fprintf(stderr, "chorus %.*s: %.*s\n", static_cast<int>(command.size()), command.data(),
               static_cast<int>(message.size()), message.data());
  return code;
}

int Migrate(const Settings& settings) {
  auto state = store::pg::ApplyMigrations(settings.database_url, store::pg::EmbeddedMigrations());
  if (!state.ok()) return Fail("migrate", state.error().message, 1);
  std::printf("database schema at migration %d (latest %d)\n", state->applied, state->latest);
  return 0;
}

int Apply(const Settings& settings, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Fail("apply", path + ": cannot be read", 2);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const auto registry = BuildCarriers();
  auto definition = workspace::ParseWorkspaceFile(
      buffer.str(), [](std::string_view name) { return ProcessEnv(name); },
      CarrierChannelRules(*registry));
  if (!definition.ok()) return Fail("apply", path + ": " + definition.error().message, 2);
  auto keyring = LoadKeyring(settings);
  if (!keyring.ok()) return Fail("apply", keyring.error().message, 2);
  auto summary = store::pg::PgWorkspaceStore(settings.database_url, *keyring).Apply(*definition);
  if (!summary.ok()) {
    const int code = summary.error().code == ErrorCode::kConflict ? 2 : 1;
    return Fail("apply", path + ": " + summary.error().message, code);
  }
  std::printf(
      "applied %s: organization %s, %d channel(s), %d disabled, %d keyword row(s), %d "
      "chapter(s), %d flow(s) with %d new version(s), %d event(s)\n",
      path.c_str(), definition->slug.c_str(), summary->channels, summary->channels_disabled,
      summary->keywords, summary->chapters, summary->flows, summary->flow_versions_created,
      summary->events);
  return 0;
}

struct TokenRequest {
  std::string organization;
  api::Role role = api::Role::kViewer;
  std::string chapter;
  std::string name;
};

Result<TokenRequest> ParseTokenCreate(const std::vector<std::string>& args) {
  const Error usage = MakeError(
      ErrorCode::kInvalidArgument,
      "usage: chorus token create --org SLUG --role ROLE [--chapter SLUG] [--name NAME]");
  if (args.size() < 2 || args[1] != "create") return usage;
  TokenRequest t;
  std::string role;
  for (std::size_t i = 2; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) return usage;
    const std::string& flag = args[i];
    const std::string& value = args[i + 1];
    if (flag == "--org") t.organization = value;
    else if (flag == "--role") role = value;
    else if (flag == "--chapter") t.chapter = value;
    else if (flag == "--name") t.name = value;
    else return usage;
  }
  if (t.organization.empty() || role.empty()) return usage;
  const auto parsed = api::RoleFromName(role);
  if (!parsed) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "--role must be owner, organizer, chapter_leader or viewer");
  }
  t.role = *parsed;
  return t;
}

int TokenCreate(const Settings& settings, const TokenRequest& t) {
  auto created = store::pg::PgApiStore(settings.database_url)
                     .CreateToken(t.organization, t.role, t.chapter, t.name, "cli");
  if (!created.ok()) {
    const bool yours = created.error().code == ErrorCode::kNotFound ||
                       created.error().code == ErrorCode::kInvalidArgument;
    return Fail("token", created.error().message, yours ? 2 : 1);
  }
  // The token on stdout alone, so scripts can capture it; it is not shown again.
  std::printf("%s\n", created->token.c_str());
  std::fprintf(stderr, "token %lld created for %s as %s; store it now, it is shown only once\n",
               static_cast<long long>(created->id), t.organization.c_str(),
               std::string(api::RoleName(t.role)).c_str());
  return 0;
}

struct Args {
  std::string config;
  std::vector<std::string> rest;
};

Result<SimOptions> ParseSim(const std::vector<std::string>& args) {
  SimOptions o;
  std::vector<std::string> words;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if ((a == "--from" || a == "--channel" || a == "--wait") && !has_value) {
      return MakeError(ErrorCode::kInvalidArgument, a + " needs a value");
    }
    if (a == "--from") o.from = args[++i];
    else if (a == "--channel") o.channel = args[++i];
    else if (a == "--wait") {
      try {
        o.wait_seconds = std::stod(args[++i]);
      } catch (...) {
        return MakeError(ErrorCode::kInvalidArgument, "--wait expects a number of seconds");
      }
    } else words.push_back(a);
  }
  for (const auto& w : words) o.text += (o.text.empty() ? "" : " ") + w;
  if (o.text.empty()) return MakeError(ErrorCode::kInvalidArgument, "what to text is missing");
  return o;
}

}  // namespace

int RunCli(int argc, char** argv) {
  // libpq waits for ever on an unreachable TCP host unless told otherwise; set before any
  // thread starts (setenv is not thread-safe). An operator's own value wins.
  setenv("PGCONNECT_TIMEOUT", "5", /*overwrite=*/0);
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (args.rest.empty() && a == "--config") {
      if (i + 1 >= argc) return Fail("", "--config needs a file", 2);
      args.config = argv[++i];
    } else {
      args.rest.push_back(std::move(a));
    }
  }
  if (args.rest.empty() || args.rest[0] == "help" || args.rest[0] == "--help") {
    std::fputs(kUsage, args.rest.empty() ? stderr : stdout);
    return args.rest.empty() ? 2 : 0;
  }
  const std::string command = args.rest[0];
  if (command == "version") {
    std::printf("chorus 0.1.0\n");
    return 0;
  }
  if (command == "secrets" && args.rest.size() >= 2 && args.rest[1] == "keygen") {
    if (args.rest.size() > 3) return Fail("secrets", "usage: chorus secrets keygen [ID]", 2);
    return SecretsKeygen(args.rest.size() == 3 ? args.rest[2] : "");
  }
  if (command == "secrets" && (args.rest.size() != 2 || args.rest[1] != "rekey")) {
    return Fail("secrets", "usage: chorus secrets keygen [ID] | chorus secrets rekey", 2);
  }
  if (command != "serve" && command != "migrate" && command != "apply" && command != "sim" &&
      command != "secrets" && command != "token") {
    return Fail(command, "unknown command (try chorus help)", 2);
  }
  const bool full = command == "serve";
  auto settings = full ? LoadSettings(ProcessEnv, args.config)
                       : LoadClientSettings(ProcessEnv, args.config);
  if (!settings.ok()) return Fail(command, settings.error().message, 2);
  if (auto logging = observability::SetUpLogging(full ? settings->log_level : "warn");
      !logging.ok()) {
    return Fail(command, logging.error().message, 2);
  }
  if (command == "serve") return Serve(*settings);
  if (command == "migrate") return Migrate(*settings);
  if (command == "secrets") return SecretsRekey(*settings);
  if (command == "token") {
    auto request = ParseTokenCreate(args.rest);
    if (!request.ok()) return Fail("token", request.error().message, 2);
    return TokenCreate(*settings, *request);
  }
  if (command == "apply") {
    if (args.rest.size() != 2) return Fail("apply", "usage: chorus apply FILE", 2);
    return Apply(*settings, args.rest[1]);
  }
  auto sim = ParseSim(args.rest);
  if (!sim.ok()) return Fail("sim", sim.error().message, 2);
  return Sim(*settings, *sim);
}

}  // namespace chorus::app
