#pragma once

#include "app.hpp"

#include <chrono>
#include <functional>

namespace befus::cli {

// A one-line progress bar on stderr, only when stderr is a terminal and not --quiet.
inline std::function<void(size_t, size_t)> progress_bar(Context& ctx, const char* what) {
  if (!ctx.err_tty || ctx.globals.quiet) return {};
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [&ctx, what, last](size_t done, size_t total) {
    auto now = std::chrono::steady_clock::now();
    if (done != total && now - *last < std::chrono::milliseconds(100)) return;
    *last = now;
    int width = 30;
    int filled = total ? static_cast<int>(width * done / total) : width;
    ctx.err << '\r' << what << " [" << std::string(static_cast<size_t>(filled), '#')
            << std::string(static_cast<size_t>(width - filled), ' ') << "] " << done << '/' << total
            << (done == total ? "\n" : "") << std::flush;
  };
}

} // namespace befus::cli
