#include <cstddef>
#include <cstdint>
#include <string_view>

#include "carriers/twilio/twilio_fuzz_entry.hpp"

// libFuzzer entry. Run: ./form_fuzz -max_len=4096 corpus_dir/
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!chorus::fuzz::FuzzFormOnce(input)) __builtin_trap();
  return 0;
}
