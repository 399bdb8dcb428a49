#include "secrets/keyring.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <charconv>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/base64.hpp"

namespace chorus::secrets {
namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr char kVersion = '\x01';

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

bool IsKeyId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

struct ContextFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Context = std::unique_ptr<EVP_CIPHER_CTX, ContextFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Result<Keyring> Keyring::Parse(std::string_view text) {
  Keyring ring;
  int number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t newline = text.find('\n');
    std::string_view line = Trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = "line " + std::to_string(number) + ": ";
    const std::size_t space = line.find_first_of(" \t");
    if (space == std::string_view::npos) return Invalid(where + "expected KEY_ID BASE64_KEY");
    std::string_view id = line.substr(0, space);
    std::string_view encoded = Trim(line.substr(space));
    if (!IsKeyId(id)) return Invalid(where + "a key id is 1 to 64 of A-Z, a-z, 0-9, - _ .");
    auto key = Base64Decode(encoded);
    if (!key || key->size() != kKeyBytes) {
      return Invalid(where + "the key must be 32 bytes in Base64 (44 characters): generate one "
                             "with `chorus secrets keygen`");
    }
    if (ring.keys_.count(id) != 0) return Invalid(where + "key id " + std::string(id) + " is listed twice");
    ring.keys_.emplace(std::string(id), std::move(*key));
    ring.active_ = std::string(id);
  }
  if (ring.active_.empty()) return Invalid("no key in the file: generate one with `chorus secrets keygen`");
  return ring;
}

Result<Keyring> Keyring::Load(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return Invalid(path + ": cannot be read");
  if ((info.st_mode & 077) != 0) {
    return Invalid(path + ": other users may read or write it; chmod 600 " + path);
  }
  std::ifstream in(path);
  if (!in) return Invalid(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  auto ring = Parse(text.str());
  if (!ring.ok()) return Invalid(path + ": " + ring.error().message);
  return ring;
}

Result<std::string> Keyring::NewKeyLine(std::string_view key_id) {
  if (!IsKeyId(key_id)) return Invalid("a key id is 1 to 64 of A-Z, a-z, 0-9, - _ .");
  std::string key(kKeyBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    return MakeError(ErrorCode::kInternal, "the random number generator failed");
  }
  return std::string(key_id) + " " + Base64Encode(key);
}

Result<Sealed> Keyring::Seal(std::string_view plaintext, std::string_view associated_data) const {
  const std::string& key = keys_.at(active_);
  std::string blob(1 + kNonceBytes + plaintext.size() + kTagBytes, '\0');
  blob[0] = kVersion;
  auto* nonce = reinterpret_cast<unsigned char*>(blob.data() + 1);
  auto* out = nonce + kNonceBytes;
  if (RAND_bytes(nonce, static_cast<int>(kNonceBytes)) != 1) {
    return MakeError(ErrorCode::kInternal, "the random number generator failed");
  }
  Context ctx(EVP_CIPHER_CTX_new());
  int written = 0;
  int finished = 0;
  const bool ok =
      ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), nonce) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &written, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), out, &written, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), out + written, &finished) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          out + plaintext.size()) == 1;
  if (!ok) return MakeError(ErrorCode::kInternal, "sealing a secret failed");
  return Sealed{active_, std::move(blob)};
}

Result<std::string> Keyring::Open(const Sealed& sealed, std::string_view associated_data) const {
  auto key = keys_.find(sealed.key_id);
  if (key == keys_.end()) {
    return MakeError(ErrorCode::kNotFound,
                     "sealed with key " + sealed.key_id + ", which the key file does not hold");
  }
  const std::string& blob = sealed.blob;
  if (blob.size() < 1 + kNonceBytes + kTagBytes || blob[0] != kVersion) {
    return MakeError(ErrorCode::kPermissionDenied, "the sealed value is malformed");
  }
  const auto* nonce = Bytes(blob) + 1;
  const std::size_t size = blob.size() - 1 - kNonceBytes - kTagBytes;
  const auto* ciphertext = nonce + kNonceBytes;
  std::string tag(blob.substr(blob.size() - kTagBytes));
  std::string plaintext(size, '\0');
  Context ctx(EVP_CIPHER_CTX_new());
  int written = 0;
  int finished = 0;
  const bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key->second), nonce) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &written, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()), &written,
                        ciphertext, static_cast<int>(size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plaintext.data()) + written,
                          &finished) == 1;
  if (!ok) {
    return MakeError(ErrorCode::kPermissionDenied,
                     "the sealed value does not open with key " + sealed.key_id +
                         " (another key of the same id, another row, or tampered)");
  }
  return plaintext;
}

std::string EncodeSecrets(const std::map<std::string, std::string>& secrets) {
  std::string out;
  for (const auto& [name, value] : secrets) {
    out += std::to_string(name.size()) + ":" + name + std::to_string(value.size()) + ":" + value;
  }
  return out;
}

Result<std::map<std::string, std::string>> DecodeSecrets(std::string_view encoded) {
  std::map<std::string, std::string> out;
  auto take = [&](std::string& into) -> bool {
    const std::size_t colon = encoded.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 9) return false;
    std::size_t size = 0;
    auto [end, ec] = std::from_chars(encoded.data(), encoded.data() + colon, size);
    if (ec != std::errc() || end != encoded.data() + colon || size > encoded.size() - colon - 1) {
      return false;
    }
    into = std::string(encoded.substr(colon + 1, size));
    encoded.remove_prefix(colon + 1 + size);
    return true;
  };
  while (!encoded.empty()) {
    std::string name, value;
    if (!take(name) || !take(value)) {
      return MakeError(ErrorCode::kInvalidArgument, "the secrets do not decode");
    }
    out[std::move(name)] = std::move(value);
  }
  return out;
}

}  // namespace chorus::secrets
