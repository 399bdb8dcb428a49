// The libFuzzer driver of one fuzz entry (chorus_add_fuzz_target in tests/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include CHORUS_FUZZ_HEADER

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!chorus::fuzz::CHORUS_FUZZ_ENTRY(input)) __builtin_trap();
  return 0;
}
