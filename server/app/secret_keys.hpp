#pragma once

#include <memory>

#include "app/settings.hpp"
#include "core/result.hpp"
#include "secrets/keyring.hpp"

namespace chorus::app {

/// The keyring of CHORUS_SECRETS_KEY_FILE, or nullptr when the setting is empty (then channels
/// with credentials can be neither applied nor loaded, with an error saying so).
Result<std::shared_ptr<const secrets::Keyring>> LoadKeyring(const Settings& settings);

/// `chorus secrets keygen [ID]`: prints a new key line to append to the key file.
int SecretsKeygen(const std::string& key_id);
/// `chorus secrets rekey`: reseals every channel's credentials under the active key.
int SecretsRekey(const Settings& settings);

}  // namespace chorus::app
