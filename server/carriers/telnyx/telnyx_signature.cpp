#include "carriers/telnyx/telnyx_signature.hpp"

#include <openssl/evp.h>

#include <memory>

#include "core/base64.hpp"

namespace chorus::carriers::telnyx {
namespace {

constexpr std::size_t kPublicKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct ContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

bool IsSignatureHeader(std::string_view value) {
  auto decoded = Base64Decode(value);
  return decoded && decoded->size() == kSignatureBytes;
}

std::optional<std::int64_t> ParseTimestamp(std::string_view value) {
  if (value.empty() || value.size() > 12) return std::nullopt;
  std::int64_t seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return seconds;
}

bool IsPublicKey(std::string_view base64) {
  auto decoded = Base64Decode(base64);
  return decoded && decoded->size() == kPublicKeyBytes;
}

bool VerifySignature(std::string_view public_key, std::string_view timestamp,
                     std::string_view body, std::string_view signature) {
  auto key_bytes = Base64Decode(public_key);
  auto signature_bytes = Base64Decode(signature);
  if (!key_bytes || key_bytes->size() != kPublicKeyBytes || !signature_bytes ||
      signature_bytes->size() != kSignatureBytes) {
    return false;
  }
  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(key_bytes->data()),
      key_bytes->size()));
  std::unique_ptr<EVP_MD_CTX, ContextFree> ctx(EVP_MD_CTX_new());
  if (!key || !ctx) return false;
  // The signed message: the timestamp header, '|', and the raw body exactly as received.
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).append("|").append(body);
  // Ed25519 is a one-shot scheme: no digest, the whole message at once (RFC 8032).
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(),
                          reinterpret_cast<const unsigned char*>(signature_bytes->data()),
                          signature_bytes->size(),
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string RandomPublicKey() {
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return Base64Encode(std::string(kPublicKeyBytes, '\x01'));
  }
  std::unique_ptr<EVP_PKEY, KeyFree> key(raw);
  std::string bytes(kPublicKeyBytes, '\0');
  std::size_t size = bytes.size();
  EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(bytes.data()), &size);
  return Base64Encode(bytes);
}

}  // namespace chorus::carriers::telnyx
