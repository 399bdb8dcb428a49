#include "bench/member_search.hpp"

// Boost 1.74's Asio coroutine headers need <utility> first with GCC 12 (http/asio.hpp does it).
#include "http/asio.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "bench/cpu_usage.hpp"
#include "bench/latency_stats.hpp"
#include "bench/load_generator.hpp"
#include "chorus/api/v1/api.pb.h"
#include "http/client.hpp"

namespace chorus::bench {
namespace {

namespace asio = boost::asio;

struct QueryLine {
  std::string kind;
  int first_page = 1;
  int last_page = 1;
  std::string query;
};

// One page the timed run asks for: the request target with its cursor, and how many members
// it held when it was fetched before the run.
struct Page {
  std::string kind;
  std::string target;
  int members = 0;
};

bool ReadPages(const std::string& text, QueryLine& line) {
  const auto dash = text.find('-');
  try {
    line.first_page = std::stoi(text.substr(0, dash));
    line.last_page = dash == std::string::npos ? line.first_page : std::stoi(text.substr(dash + 1));
  } catch (const std::exception&) {
    return false;
  }
  return line.first_page >= 1 && line.last_page >= line.first_page;
}

// `KIND PAGES QUERY` lines (what follows the query is a comment); blank and # lines are skipped.
std::vector<QueryLine> ReadQueries(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path;
    return {};
  }
  std::vector<QueryLine> lines;
  for (std::string text; std::getline(in, text);) {
    if (text.empty() || text[0] == '#') continue;
    std::istringstream fields(text);
    QueryLine line;
    std::string pages;
    if (!(fields >> line.kind >> pages >> line.query) || !ReadPages(pages, line)) {
      *error = "bad line in " + path + ": " + text;
      return {};
    }
    lines.push_back(line);
  }
  if (lines.empty()) *error = path + " has no queries";
  return lines;
}

transport::HttpResponseSpec Get(const MemberSearchOptions& o, const std::string& target) {
  asio::io_context io;
  http::Client client(io, http::ClientOptions{std::chrono::milliseconds(30'000)});
  transport::HttpRequestSpec request;
  request.method = "GET";
  request.url = "http://" + o.host + ":" + std::to_string(o.port) + target;
  request.headers = {{"Authorization", "Bearer " + o.token}};
  transport::HttpResponseSpec response;
  asio::co_spawn(io, client.Send(std::move(request)),
                 [&response](std::exception_ptr, transport::HttpResponseSpec r) { response = r; });
  io.run();
  return response;
}

// Walks a line's pages, following next_cursor, and keeps the ones to time.
bool FetchPages(const MemberSearchOptions& o, const QueryLine& line, std::vector<Page>& pages) {
  std::string cursor;
  for (int page = 1; page <= line.last_page; ++page) {
    const std::string target =
        "/v1/members?" + line.query + (cursor.empty() ? "" : "&cursor=" + cursor);
    const auto started = Clock::now();
    const transport::HttpResponseSpec response = Get(o, target);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    chorus::api::v1::MemberPage body;
    google::protobuf::util::JsonParseOptions lenient;
    lenient.ignore_unknown_fields = true;
    if (response.status != 200 ||
        !google::protobuf::util::JsonStringToMessage(response.body, &body, lenient).ok()) {
      std::fprintf(stderr, "member-search: %s answered %d: %.300s\n", target.c_str(),
                   response.status, response.body.c_str());
      return false;
    }
    std::printf("  %-10s page %d: %3d members, %7.1f ms  %s\n", line.kind.c_str(), page,
                body.members_size(), ms, line.query.c_str());
    if (page >= line.first_page) pages.push_back({line.kind, target, body.members_size()});
    cursor = body.next_cursor();
    if (cursor.empty() && page < line.last_page) {
      std::fprintf(stderr, "member-search: %s has %d page(s), not %d\n", line.query.c_str(), page,
                   line.last_page);
      return false;
    }
  }
  return true;
}

std::string Request(const MemberSearchOptions& o, const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: " + o.host + ":" + std::to_string(o.port) +
         "\r\nAccept: application/json\r\nAuthorization: Bearer " + o.token + "\r\n\r\n";
}

// Which page request i asks for: the pages in a shuffled order (fixed seed, so every run asks
// the same), again and again, so each kind is spread evenly over the run.
std::vector<std::size_t> Schedule(std::size_t pages, std::size_t count) {
  std::mt19937 random(20261207);
  std::vector<std::size_t> round(pages);
  std::vector<std::size_t> order;
  order.reserve(count);
  for (std::size_t i = 0; i < pages; ++i) round[i] = i;
  while (order.size() < count) {
    std::shuffle(round.begin(), round.end(), random);
    for (std::size_t i = 0; i < pages && order.size() < count; ++i) order.push_back(round[i]);
  }
  return order;
}

std::string KindLines(const std::string& prefix, const std::string& kind, const LatencySummary& s,
                      std::size_t failed, int min_members, int max_members) {
  char text[600];
  const std::string p = prefix + "." + kind;
  std::snprintf(text, sizeof text,
                "%s.n=%zu\n%s.failed=%zu\n%s.p50_ms=%.2f\n%s.p90_ms=%.2f\n%s.p99_ms=%.2f\n"
                "%s.max_ms=%.2f\n%s.members=%d-%d\n",
                p.c_str(), s.count, p.c_str(), failed, p.c_str(), s.p50_ms, p.c_str(), s.p90_ms,
                p.c_str(), s.p99_ms, p.c_str(), s.max_ms, p.c_str(), min_members, max_members);
  return text;
}

// Latency per kind, in the order the kinds first appear in the queries file.
std::string Report(const MemberSearchOptions& o, const std::vector<Page>& pages,
                   const std::vector<std::size_t>& order, const LoadResult& r, std::string* kv) {
  std::vector<std::string> kinds;
  for (const Page& p : pages) {
    if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) kinds.push_back(p.kind);
  }
  std::string text;
  for (const std::string& kind : kinds) {
    std::vector<std::int64_t> samples;
    std::size_t failed = 0;
    int min_members = 1 << 30, max_members = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
      const Page& page = pages[order[i]];
      if (page.kind != kind) continue;
      min_members = std::min(min_members, page.members);
      max_members = std::max(max_members, page.members);
      if (r.status[i] != 200) {
        ++failed;
        continue;
      }
      samples.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(r.answered[i] - r.started[i])
              .count());
    }
    const LatencySummary s = Summarize(std::move(samples));
    char line[300];
    std::snprintf(line, sizeof line, "  %-10s %3d-%3d members a page  %s", kind.c_str(),
                  min_members, max_members, FormatSummary(s).c_str());
    text += line;
    text += failed > 0 ? ", " + std::to_string(failed) + " not 200\n" : "\n";
    *kv += KindLines(o.prefix, kind, s, failed, min_members, max_members);
  }
  return text;
}

// Every line of the queries file fetched once, page after page: the pages to time.
bool Prepare(const MemberSearchOptions& o, std::vector<Page>& pages) {
  std::string error;
  const std::vector<QueryLine> lines = ReadQueries(o.queries_path, &error);
  if (lines.empty()) {
    std::fprintf(stderr, "member-search: %s\n", error.c_str());
    return false;
  }
  std::printf("member-search: every query once, untimed (checks them, finds the cursors):\n");
  for (const QueryLine& line : lines) {
    if (!FetchPages(o, line, pages)) return false;
  }
  return true;
}

}  // namespace

int RunMemberSearch(const MemberSearchOptions& o, std::string* kv) {
  const auto count = static_cast<std::size_t>(o.rate * o.seconds);
  if (count == 0 || o.token.empty()) {
    std::fprintf(stderr, "member-search: needs a token, --rate and --seconds\n");
    return 2;
  }
  std::vector<Page> pages;
  if (!Prepare(o, pages)) return 2;
  const std::vector<std::size_t> order = Schedule(pages.size(), count);
  std::vector<std::string> requests;
  requests.reserve(count);
  for (std::size_t i : order) requests.push_back(Request(o, pages[i].target));
  const RequestSet set(requests);

  if (o.start_at > 0 && !SleepUntilUnix(o.start_at)) {
    std::fprintf(stderr, "member-search: the start time had passed when the queries were ready\n");
    return 2;
  }
  LoadOptions load;
  load.host = o.host;
  load.port = o.port;
  load.connections = o.connections;
  load.rate = o.rate;
  std::printf("member-search: %zu searches at %.1f/s (open loop) over %d connections\n", count,
              o.rate, o.connections);
  std::fflush(stdout);
  const CpuSample cpu_before = SampleCpu(o.cpu_watch);
  const std::string window_start = UtcNow();
  const auto t0 = Clock::now();
  const LoadResult r = RunLoad(set, 0, count, load);
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::string window_end = UtcNow();
  const CpuSample cpu_after = SampleCpu(o.cpu_watch);

  std::printf("%s", FormatLoad(r).c_str());
  std::string per_kind;
  std::printf("%s", Report(o, pages, order, r, &per_kind).c_str());
  std::printf("%s", FormatCpu(cpu_before, cpu_after, wall).c_str());
  *kv += LoadKeyValues(o.prefix, r);
  *kv += per_kind;
  char rate[80];
  std::snprintf(rate, sizeof rate, "%s.rate=%.1f\n", o.prefix.c_str(), o.rate);
  *kv += rate;
  *kv += o.prefix + ".window_start=" + window_start + "\n" + o.prefix +
         ".window_end=" + window_end + "\n";
  *kv += CpuKeyValues(o.prefix, cpu_before, cpu_after);
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::duration<double>(o.linger));
  return r.ok == r.issued && r.issued == count ? 0 : 1;
}

}  // namespace chorus::bench
