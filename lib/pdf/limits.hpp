#pragma once

#include <cstddef>

// What befus (corpus/extract.cpp, the parent) and befus-pdf-text (pdf/main.cpp, the child that
// runs poppler) agree on. A PDF bomb (a small file whose streams inflate to gigabytes) keeps
// poppler busy for minutes and eats memory; a damaged file may crash it: the child gets a deadline
// and a memory limit, and only that file fails.
namespace befus::corpus::pdf {

inline constexpr const char* k_helper = "befus-pdf-text";
inline constexpr int k_seconds = 20;                            // wall clock, enforced by the parent
inline constexpr unsigned long long k_memory = 2ull << 30;      // address space of the child
inline constexpr std::size_t k_max_output = 40u << 20;          // bytes of text the parent accepts

} // namespace befus::corpus::pdf
