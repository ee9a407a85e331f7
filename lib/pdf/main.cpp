// befus-pdf-text: reads one PDF on standard input and writes "T<title size>\n<title><text>" or
// "E<message>" on standard output. befus starts it once per PDF (corpus/extract.cpp); it is not
// meant to be run by hand.
#include "befus/corpus.hpp"
#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "pdf/limits.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <iostream>
#include <iterator>
#include <string>

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool k_sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool k_sanitized = true;
#else
constexpr bool k_sanitized = false;
#endif
#else
constexpr bool k_sanitized = false;
#endif

} // namespace

int main() {
  using namespace befus::corpus;
  // Dies with befus; no core files; CPU time bounded even if the parent's deadline is not reached.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct rlimit no_core {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  struct rlimit cpu {pdf::k_seconds + 5, pdf::k_seconds + 5};
  ::setrlimit(RLIMIT_CPU, &cpu);
  if (!k_sanitized) {  // sanitizers reserve terabytes of address space up front
    struct rlimit mem {pdf::k_memory, pdf::k_memory};
    ::setrlimit(RLIMIT_AS, &mem);
  }
  std::string msg;
  try {
    std::ios::sync_with_stdio(false);
    std::string bytes{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    Extracted e = extract_pdf_in_process(bytes);
    msg = "T" + std::to_string(e.title.size()) + "\n" + e.title + e.text;
  } catch (const befus::DataError& e) {
    msg = "E" + e.bare_message();
  } catch (const std::exception& e) {
    msg = std::string("EPDF could not be read: ") + e.what();
  }
  // _exit: no destructors or leak checks of poppler's globals; the answer is all that matters.
  _exit(befus::util::write_all(STDOUT_FILENO, msg) ? 0 : 1);
}
