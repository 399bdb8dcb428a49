#include "carriers/webhook.hpp"

#include <cctype>


namespace chorus::carriers {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string WebhookUrl(std::string_view public_base_url, std::string_view carrier,
                       std::string_view channel_slug, std::string_view kind) {
  std::string url(public_base_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  // Slugs and kinds are [a-z0-9-], so they need no escaping.
  url.append("/webhooks/").append(carrier).append("/").append(channel_slug).append("/").append(
      kind);
  return url;
}

std::string_view WebhookRequest::Header(std::string_view name) const {
  std::string_view found;
  std::size_t count = 0;
  for (const auto& [key, value] : headers) {
    if (!IEquals(key, name)) continue;
    found = value;
    ++count;
  }
  return count == 1 ? found : std::string_view();
}

std::size_t WebhookRequest::HeaderCount(std::string_view name) const {
  std::size_t count = 0;
  for (const auto& [key, value] : headers) count += IEquals(key, name) ? 1 : 0;
  return count;
}

}  // namespace chorus::carriers
