// One libFuzzer target; BEFUS_FUZZ_ENTRY names the entry point in entry.hpp.
#include "entry.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  befus::fuzz::BEFUS_FUZZ_ENTRY(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
