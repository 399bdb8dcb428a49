#include "app/secret_keys.hpp"

#include <cstdio>
#include <ctime>

#include "store/pg/pg_workspace_store.hpp"

namespace chorus::app {

Result<std::shared_ptr<const secrets::Keyring>> LoadKeyring(const Settings& settings) {
  if (settings.secrets_key_file.empty()) return std::shared_ptr<const secrets::Keyring>();
  auto ring = secrets::Keyring::Load(settings.secrets_key_file);
  if (!ring.ok()) {
    return MakeError(ErrorCode::kInvalidArgument, "CHORUS_SECRETS_KEY_FILE: " + ring.error().message);
  }
  return std::shared_ptr<const secrets::Keyring>(
      std::make_shared<secrets::Keyring>(std::move(ring).value()));
}

int SecretsKeygen(const std::string& key_id) {
  std::string id = key_id;
  if (id.empty()) {
    // Named after the day it was made, so a rotated file reads in order.
    char stamp[32];
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(stamp, sizeof stamp, "k%Y%m%d%H%M%S", &utc);
    id = stamp;
  }
  auto line = secrets::Keyring::NewKeyLine(id);
  if (!line.ok()) {
    std::fprintf(stderr, "chorus secrets keygen: %s\n", line.error().message.c_str());
    return 2;
  }
  std::printf("%s\n", line->c_str());
  return 0;
}

int SecretsRekey(const Settings& settings) {
  auto keyring = LoadKeyring(settings);
  if (!keyring.ok() || !*keyring) {
    std::fprintf(stderr, "chorus secrets rekey: %s\n",
                 keyring.ok() ? "CHORUS_SECRETS_KEY_FILE: not set"
                              : keyring.error().message.c_str());
    return 2;
  }
  auto resealed = store::pg::PgWorkspaceStore(settings.database_url, *keyring).Rekey();
  if (!resealed.ok()) {
    std::fprintf(stderr, "chorus secrets rekey: %s\n", resealed.error().message.c_str());
    return 1;
  }
  std::printf("resealed the credentials of %d channel(s) and %d webhook secret(s) under key %s\n",
              resealed->channels, resealed->webhook_secrets,
              (*keyring)->active_key_id().c_str());
  return 0;
}

}  // namespace chorus::app
