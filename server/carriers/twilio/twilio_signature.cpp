#include "carriers/twilio/twilio_signature.hpp"

#include "core/base64.hpp"
#include "core/url.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cctype>
#include <climits>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace chorus::carriers::twilio {
namespace {

std::string HmacSha1Base64(std::string_view key, std::string_view data) {
  if (key.size() > INT_MAX) return {};
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
           &mac_size) == nullptr) {
    return {};
  }
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac_size));
}

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0F]);
  }
  return out;
}

// Lengths are not secret (a Base64 HMAC-SHA1 is always 28 bytes), so only equal-length inputs
// go through the constant-time compare. An empty `expected` means OpenSSL failed: never a match.
bool ConstantTimeEquals(std::string_view expected, std::string_view given) {
  return !expected.empty() && expected.size() == given.size() &&
         CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

// docs/CARRIERS.md, Twilio, Signature: twilio-python's add_port/remove_port and twilio-node's
// getExpectedTwilioSignature try the URL as given, with the default port, and without a port.
std::vector<std::string> UrlVariants(std::string_view url) {
  std::vector<std::string> variants{std::string(url)};
  // A URL may carry credentials for Twilio to send (https://user:pass@host/...); they are
  // signed as written, and the port goes after them.
  std::string without_userinfo(url);
  std::size_t userinfo = 0;
  if (std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    std::size_t authority_end = url.find_first_of("/?#", scheme + 3);
    std::size_t at = url.substr(0, authority_end).rfind('@');
    if (at != std::string_view::npos && at > scheme) {
      userinfo = at + 1 - (scheme + 3);
      without_userinfo.erase(scheme + 3, userinfo);
    }
  }
  auto parsed = ParseHttpUrl(without_userinfo);
  if (!parsed.ok()) return variants;
  std::string other(url);
  if (!parsed->explicit_port) {
    other.insert(parsed->port_begin + userinfo, parsed->tls ? ":443" : ":80");
  } else {
    other.erase(parsed->port_begin + userinfo, parsed->authority_end - parsed->port_begin);
  }
  variants.push_back(std::move(other));
  return variants;
}

// The first `name=` value in the query of `url`, undecoded: bodySHA256 is hex, so decoding
// cannot change a valid value.
std::optional<std::string_view> QueryValue(std::string_view url, std::string_view name) {
  std::size_t question = url.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = url.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string SignedPayload(std::string_view url, const FormParams& params) {
  // std::string orders by char_traits<char>::lt, which compares as unsigned char: byte order,
  // the same as Python's code-point sort of the decoded UTF-8 names.
  std::map<std::string, std::set<std::string>> sorted;
  for (const auto& [name, value] : params) sorted[name].insert(value);
  std::string payload(url);
  for (const auto& [name, values] : sorted) {
    for (const auto& value : values) {
      payload += name;
      payload += value;
    }
  }
  return payload;
}

std::string ComputeSignature(std::string_view auth_token, std::string_view url,
                             const FormParams& params) {
  return HmacSha1Base64(auth_token, SignedPayload(url, params));
}

bool ValidateSignature(std::string_view auth_token, std::string_view url, const FormParams& params,
                       std::string_view signature) {
  // HMAC accepts an empty key, so a channel whose token is not configured would accept
  // signatures anyone can compute.
  if (auth_token.empty() || signature.empty()) return false;
  bool matched = false;
  for (const auto& variant : UrlVariants(url)) {
    matched |= ConstantTimeEquals(ComputeSignature(auth_token, variant, params), signature);
  }
  return matched;
}

bool ValidateJsonBodySignature(std::string_view auth_token, std::string_view url,
                               std::string_view raw_body, std::string_view signature) {
  auto claimed_hash = QueryValue(url, "bodySHA256");
  if (!claimed_hash) return false;
  bool body_ok = ConstantTimeEquals(Sha256Hex(raw_body), *claimed_hash);
  bool url_ok = ValidateSignature(auth_token, url, {}, signature);
  return body_ok && url_ok;
}

}  // namespace chorus::carriers::twilio
