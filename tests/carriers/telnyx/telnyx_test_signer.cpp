#include "carriers/telnyx/telnyx_test_signer.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace chorus::testing::telnyx {
namespace {

EVP_PKEY* Key(void* key) { return static_cast<EVP_PKEY*>(key); }

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

}  // namespace

TestSigner::TestSigner(std::string_view seed_hex) {
  if (seed_hex.size() != 64) throw std::invalid_argument("an Ed25519 seed is 32 bytes (64 hex)");
  unsigned char seed[32];
  for (int i = 0; i < 32; ++i) {
    seed[i] = static_cast<unsigned char>(
        std::stoi(std::string(seed_hex.substr(static_cast<std::size_t>(2 * i), 2)), nullptr, 16));
  }
  key_ = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed, sizeof seed);
  if (key_ == nullptr) throw std::runtime_error("EVP_PKEY_new_raw_private_key failed");
}

TestSigner::TestSigner() {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &key) != 1) {
    EVP_PKEY_CTX_free(ctx);
    throw std::runtime_error("Ed25519 key generation failed");
  }
  EVP_PKEY_CTX_free(ctx);
  key_ = key;
}

TestSigner::~TestSigner() { EVP_PKEY_free(Key(key_)); }

std::string TestSigner::public_key_base64() const {
  std::string raw(32, '\0');
  std::size_t size = raw.size();
  EVP_PKEY_get_raw_public_key(Key(key_), reinterpret_cast<unsigned char*>(raw.data()), &size);
  return Base64(raw);
}

std::string TestSigner::SignRaw(std::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string signature(64, '\0');
  std::size_t size = signature.size();
  const bool ok =
      ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, Key(key_)) == 1 &&
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) throw std::runtime_error("Ed25519 signing failed");
  return signature;
}

std::string TestSigner::Sign(std::string_view timestamp, std::string_view body) const {
  std::string message(timestamp);
  message += '|';
  message.append(body);
  return Base64(SignRaw(message));
}

}  // namespace chorus::testing::telnyx
