// Replays one fuzz entry over its kept inputs in CI, without clang: the seeds, the corpus the
// fuzzer grew (minimised) and every crasher ever found (chorus_add_fuzz_target).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include CHORUS_FUZZ_HEADER

namespace chorus::fuzz {
namespace {

std::vector<std::filesystem::path> Inputs(const std::string& folder) {
  std::vector<std::filesystem::path> out;
  const std::filesystem::path dir = std::filesystem::path(CHORUS_FUZZ_CORPUS) / folder;
  if (!std::filesystem::is_directory(dir)) return out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != "README.md") {
      out.push_back(entry.path());
    }
  }
  return out;
}

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void Replay(const std::string& folder) {
  for (const auto& path : Inputs(folder)) {
    EXPECT_TRUE(CHORUS_FUZZ_ENTRY(Read(path))) << CHORUS_FUZZ_NAME << ": " << path;
  }
}

TEST(FuzzReplay, Seeds) {
  ASSERT_GE(Inputs("seeds").size(), 3u) << CHORUS_FUZZ_CORPUS << "/seeds holds the seed corpus";
  Replay("seeds");
}

TEST(FuzzReplay, FoundByTheFuzzer) { Replay("found"); }

TEST(FuzzReplay, Crashers) { Replay("crashers"); }

}  // namespace
}  // namespace chorus::fuzz
