#include "carriers/twilio/twilio_test_signer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

namespace chorus::testing::twilio {

std::string Sign(std::string_view auth_token, std::string_view url, const Params& params) {
  Params sorted = params;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string data(url);
  for (const auto& [name, value] : sorted) data += name + value;

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_size);
  unsigned char encoded[64] = {};
  const int n = EVP_EncodeBlock(encoded, mac, static_cast<int>(mac_size));
  return std::string(reinterpret_cast<char*>(encoded), static_cast<std::size_t>(n));
}

std::string Encode(const Params& params) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  auto append = [&out](std::string_view text) {
    for (unsigned char c : text) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        out += static_cast<char>(c);
      } else if (c == ' ') {
        out += '+';
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
  };
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    append(name);
    out += '=';
    append(value);
  }
  return out;
}

std::optional<Params> Decode(std::string_view body) {
  auto unescape = [](std::string_view text) -> std::optional<std::string> {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '+') {
        out += ' ';
      } else if (text[i] == '%') {
        if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
            !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
          return std::nullopt;
        }
        out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  };
  Params params;
  while (!body.empty()) {
    std::size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto name = unescape(pair.substr(0, eq));
    auto value = unescape(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

const std::string* Find(const Params& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace chorus::testing::twilio
