#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace chorus::secrets {

/// A sealed value: the id of the key that sealed it, and the bytes (format version, nonce,
/// ciphertext, tag).
struct Sealed {
  std::string key_id;
  std::string blob;
};

/// The keys that encrypt carrier credentials at rest, read from the key file named by
/// CHORUS_SECRETS_KEY_FILE (docs/SECRETS.md). AES-256-GCM with a fresh random nonce per value;
/// the associated data binds a value to where it belongs (a channel), so a sealed value copied
/// into another row does not open. The last key of the file seals; every key opens, so keys
/// can be rotated: add a key, run `chorus secrets rekey`, later remove the old one.
/// Immutable after Load; thread-safe.
class Keyring {
 public:
  /// Parses a key file: lines "KEY_ID BASE64" (32 bytes of key), '#' comments and blank lines.
  /// kInvalidArgument with the line number and what is wrong, never the key.
  static Result<Keyring> Parse(std::string_view text);
  /// Reads and parses `path`; refuses a file that other users may read or write (chmod 600).
  static Result<Keyring> Load(const std::string& path);

  /// A new key file line, "ID BASE64", for `chorus secrets keygen`.
  static Result<std::string> NewKeyLine(std::string_view key_id);

  const std::string& active_key_id() const { return active_; }
  Result<Sealed> Seal(std::string_view plaintext, std::string_view associated_data) const;
  /// kNotFound when `sealed.key_id` is not in the file; kPermissionDenied when the value does
  /// not open (another key, another row, tampered).
  Result<std::string> Open(const Sealed& sealed, std::string_view associated_data) const;

 private:
  std::map<std::string, std::string, std::less<>> keys_;  // id -> 32 bytes
  std::string active_;
};

/// The plaintext form of a map of secrets, and back: a length-prefixed encoding that keeps
/// every byte. Pure.
std::string EncodeSecrets(const std::map<std::string, std::string>& secrets);
Result<std::map<std::string, std::string>> DecodeSecrets(std::string_view encoded);

}  // namespace chorus::secrets
