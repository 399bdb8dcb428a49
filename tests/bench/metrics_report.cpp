#include "bench/metrics_report.hpp"

// Boost 1.74's Asio coroutine headers need <utility> first with GCC 12 (http/asio.hpp does it).
#include "http/asio.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>
#include <vector>

#include "http/client.hpp"

namespace chorus::bench {
namespace {

namespace asio = boost::asio;

constexpr const char* kInboundRoute = "/webhooks/twilio/{channel}/inbound";

// "name{labels} value" -> value, keyed by "name{labels}".
std::map<std::string, double> Parse(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    try {
      out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    } catch (...) {
    }
  }
  return out;
}

struct Bucket {
  std::string le;
  double count = 0;  // in this bucket only (not cumulative), after - before
};

struct HistogramDelta {
  std::vector<Bucket> buckets;
  double count = 0;
  double sum = 0;
};

// The series of `name` whose labels contain `filter` (empty: no labels besides le).
HistogramDelta Histogram(const std::map<std::string, double>& before,
                         const std::map<std::string, double>& after, const std::string& name,
                         const std::string& filter) {
  HistogramDelta h;
  std::vector<std::pair<double, std::pair<std::string, double>>> cumulative;  // le, (text, n)
  const std::string bucket_prefix = name + "_bucket{";
  for (const auto& [series, value] : after) {
    if (series.rfind(bucket_prefix, 0) != 0) continue;
    if (!filter.empty() && series.find(filter) == std::string::npos) continue;
    const auto le_at = series.find("le=\"");
    if (le_at == std::string::npos) continue;
    const std::string le = series.substr(le_at + 4, series.find('"', le_at + 4) - le_at - 4);
    const auto old = before.find(series);
    const double delta = value - (old == before.end() ? 0 : old->second);
    const double bound = le == "+Inf" ? 1e300 : std::stod(le);
    cumulative.push_back({bound, {le, delta}});
  }
  std::sort(cumulative.begin(), cumulative.end());
  double previous = 0;
  for (const auto& [bound, entry] : cumulative) {
    h.buckets.push_back({entry.first, entry.second - previous});
    previous = entry.second;
  }
  const std::string labels = filter.empty() ? "" : "{" + filter + "}";
  auto delta = [&](const std::string& series) {
    const auto a = after.find(series);
    const auto b = before.find(series);
    return (a == after.end() ? 0 : a->second) - (b == before.end() ? 0 : b->second);
  };
  h.count = delta(name + "_count" + labels);
  h.sum = delta(name + "_sum" + labels);
  return h;
}

// Upper bound of the bucket holding the q-th observation.
std::string BucketQuantile(const HistogramDelta& h, double q) {
  const double target = q * h.count;
  double seen = 0;
  for (const auto& b : h.buckets) {
    seen += b.count;
    if (seen >= target && b.count > 0) return b.le;
  }
  return "-";
}

std::string Describe(const HistogramDelta& h, const std::string& title, const std::string& unit) {
  std::string out =
      "  " + title + ": " + std::to_string(static_cast<long long>(h.count)) + " observations";
  if (h.count > 0) {
    char mean[64];
    std::snprintf(mean, sizeof mean, ", mean %.4g%s", h.sum / h.count, unit.c_str());
    out += mean;
  }
  out += "\n   ";
  for (const auto& b : h.buckets) {
    if (b.count <= 0) continue;
    char part[80];
    std::snprintf(part, sizeof part, " <=%s%s: %.0f (%.1f%%)", b.le.c_str(), unit.c_str(), b.count,
                  100.0 * b.count / h.count);
    out += part;
  }
  return out + "\n";
}

}  // namespace

std::string FetchText(const std::string& url) {
  asio::io_context io;
  http::Client client(io, http::ClientOptions{std::chrono::milliseconds(10'000)});
  transport::HttpRequestSpec request;
  request.method = "GET";
  request.url = url;
  transport::HttpResponseSpec response;
  asio::co_spawn(io, client.Send(std::move(request)),
                 [&response](std::exception_ptr, transport::HttpResponseSpec r) { response = r; });
  io.run();
  return response.status == 200 ? response.body : std::string();
}

std::string MetricsDelta(const std::string& before_text, const std::string& after_text,
                         const std::string& prefix, std::string* kv) {
  const auto before = Parse(before_text);
  const auto after = Parse(after_text);
  std::string out;
  const HistogramDelta ingest = Histogram(before, after, "chorus_ingest_batch_size", "");
  const HistogramDelta process = Histogram(before, after, "chorus_processing_batch_members", "");
  // The public listener's series (the admin listener has its own, labelled server="admin").
  const std::string route = std::string("server=\"public\",route=\"") + kInboundRoute + "\"";
  const HistogramDelta answer =
      Histogram(before, after, "chorus_http_request_duration_seconds", route);
  out += Describe(ingest, "webhooks per ingest transaction (group commit)", "");
  out += Describe(process, "members per processing transaction", "");
  out += Describe(answer, "server-side time to answer an inbound webhook", " s");
  out += "    (bucket bounds: p50 <= " + BucketQuantile(answer, 0.5) +
         " s, p99 <= " + BucketQuantile(answer, 0.99) + " s)\n";
  const HistogramDelta send =
      Histogram(before, after, "chorus_send_duration_seconds", "carrier=\"twilio\"");
  if (send.count > 0) {
    out += Describe(send, "carrier API call (send to the fake Twilio)", " s");
    *kv += prefix + ".send_p50_le_s=" + BucketQuantile(send, 0.5) + "\n" + prefix +
           ".send_p99_le_s=" + BucketQuantile(send, 0.99) + "\n";
  }
  char line[400];
  std::snprintf(line, sizeof line,
                "%s.ingest_batches=%.0f\n%s.ingest_batch_mean=%.1f\n%s.processing_batches=%.0f\n"
                "%s.processing_batch_mean=%.1f\n%s.server_inbound_p50_le_s=%s\n"
                "%s.server_inbound_p99_le_s=%s\n",
                prefix.c_str(), ingest.count, prefix.c_str(),
                ingest.count > 0 ? ingest.sum / ingest.count : 0, prefix.c_str(), process.count,
                prefix.c_str(), process.count > 0 ? process.sum / process.count : 0, prefix.c_str(),
                BucketQuantile(answer, 0.5).c_str(), prefix.c_str(),
                BucketQuantile(answer, 0.99).c_str());
  *kv += line;
  std::string ingest_dist;
  for (const auto& b : ingest.buckets) {
    if (b.count > 0)
      ingest_dist += " <=" + b.le + ":" + std::to_string(static_cast<long long>(b.count));
  }
  *kv += prefix + ".ingest_batch_distribution=" + ingest_dist + "\n";
  // Member events by kind and outcome, webhook steps' calls by result, sends by result: what
  // the flow phases did, as the server counted it.
  auto counters = [&](const std::string& name, const std::string& title, const std::string& key) {
    std::string listed;
    for (const auto& [series, value] : after) {
      if (series.rfind(name + "{", 0) != 0) continue;
      const auto old = before.find(series);
      const double delta = value - (old == before.end() ? 0 : old->second);
      if (delta <= 0) continue;
      // {kind="timer",outcome="fired"} -> timer.fired
      std::string labels;
      for (std::size_t at = series.find('"'); at != std::string::npos;) {
        const auto close = series.find('"', at + 1);
        if (close == std::string::npos) break;
        labels += (labels.empty() ? "" : ".") + series.substr(at + 1, close - at - 1);
        at = series.find('"', close + 1);
      }
      listed += " " + labels + "=" + std::to_string(static_cast<long long>(delta));
      *kv += prefix + "." + key + "." + labels + "=" +
             std::to_string(static_cast<long long>(delta)) + "\n";
    }
    if (!listed.empty()) out += "  " + title + ":" + listed + "\n";
  };
  counters("chorus_member_events_total", "member events processed", "events");
  counters("chorus_webhook_calls_total", "webhook step calls", "webhook_calls");
  counters("chorus_sends_total", "sends", "sends");
  // Answers by route and status, for the record (503s would show the inbox refusing).
  out += "  answers:";
  for (const auto& [series, value] : after) {
    if (series.rfind("chorus_http_requests_total{", 0) != 0) continue;
    const auto old = before.find(series);
    const double delta = value - (old == before.end() ? 0 : old->second);
    if (delta <= 0) continue;
    out += " " + series.substr(26) + "=" + std::to_string(static_cast<long long>(delta));
  }
  out += "\n";
  return out;
}

}  // namespace chorus::bench
