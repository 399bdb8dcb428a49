#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "carriers/twilio/twilio_fuzz_entry.hpp"

namespace chorus::fuzz {
namespace {

// Runs the twilio_form_fuzz entry (FuzzFormOnce) over the seeds and ~20,000 deterministic
// inputs so CI exercises the parsers without clang. std::mt19937's output sequence is fixed by
// the standard; only raw engine output is used (distributions differ between libraries).

std::string Printable(std::string_view input) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : input) {
    auto b = static_cast<unsigned char>(c);
    if (b >= 0x20 && b < 0x7F && b != '\\') {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0x0F]);
    }
  }
  return out;
}

class InputGenerator {
 public:
  explicit InputGenerator(std::uint32_t seed) : engine_(seed) {}

  std::size_t Below(std::size_t n) { return n == 0 ? 0 : engine_() % n; }

  std::string RandomBytes(std::size_t max_size) {
    std::string out(Below(max_size + 1), '\0');
    for (char& c : out) c = static_cast<char>(engine_() & 0xFF);
    return out;
  }

  // Bytes a form parser cares about, so inputs reach past the first error.
  std::string FormLike(std::size_t max_size) {
    static constexpr std::string_view kAlphabet =
        "aZ09=&&==%%%+++-._~ "
        "AFaf4GMSC\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xFF\xC0\xED\xA0:/?#@[]{}\"";
    std::string out;
    std::size_t size = Below(max_size + 1);
    for (std::size_t i = 0; i < size; ++i) out.push_back(kAlphabet[Below(kAlphabet.size())]);
    return out;
  }

  std::string Mutate(std::string input) {
    std::size_t rounds = 1 + Below(4);
    for (std::size_t r = 0; r < rounds; ++r) MutateOnce(input);
    return input;
  }

 private:
  void MutateOnce(std::string& s) {
    switch (Below(5)) {
      case 0:
        if (!s.empty()) s[Below(s.size())] = static_cast<char>(engine_() & 0xFF);
        break;
      case 1:
        s.insert(Below(s.size() + 1), FormLike(3));
        break;
      case 2:
        if (!s.empty()) s.erase(Below(s.size()), 1 + Below(4));
        break;
      case 3:
        if (!s.empty()) s.insert(Below(s.size() + 1), s.substr(Below(s.size()), Below(16)));
        break;
      default:
        s = s.substr(0, Below(s.size() + 1)) + std::string(kFormSeeds[Below(kFormSeeds.size())]);
        break;
    }
  }

  std::mt19937 engine_;
};

constexpr std::uint32_t kSeed = 20240611;

TEST(FormFuzzReplay, SeedCorpusHoldsInvariants) {
  for (std::string_view seed : kFormSeeds) {
    EXPECT_TRUE(FuzzFormOnce(seed)) << Printable(seed);
  }
}

TEST(FormFuzzReplay, RandomBytesHoldInvariants) {
  InputGenerator generator(kSeed);
  for (int i = 0; i < 6000; ++i) {
    std::string input = generator.RandomBytes(96);
    ASSERT_TRUE(FuzzFormOnce(input)) << "case " << i << ": " << Printable(input);
  }
}

TEST(FormFuzzReplay, FormLikeInputsHoldInvariants) {
  InputGenerator generator(kSeed + 1);
  for (int i = 0; i < 7000; ++i) {
    std::string input = generator.FormLike(160);
    ASSERT_TRUE(FuzzFormOnce(input)) << "case " << i << ": " << Printable(input);
  }
}

TEST(FormFuzzReplay, MutatedSeedsHoldInvariants) {
  InputGenerator generator(kSeed + 2);
  for (int i = 0; i < 7000; ++i) {
    std::string input =
        generator.Mutate(std::string(kFormSeeds[generator.Below(kFormSeeds.size())]));
    ASSERT_TRUE(FuzzFormOnce(input)) << "case " << i << ": " << Printable(input);
  }
}

}  // namespace
}  // namespace chorus::fuzz
