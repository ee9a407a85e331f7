#include "befus/corpus.hpp"

#include "befus/error.hpp"
#include "befus/fs.hpp"
#include "befus/text.hpp"
#include "pdf/limits.hpp"

#include <gumbo.h>
#include <md4c.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <chrono>
#include <cstring>
#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

namespace befus::corpus {

namespace {

// Collapses runs of blank lines and trailing spaces so snippets read well.
std::string tidy(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  int newlines = 0;
  bool space = false;
  for (char c : s) {
    if (c == '\r') continue;
    if (c == '\n') {
      ++newlines;
      space = false;
      continue;
    }
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (!out.empty()) {
      if (newlines) out += newlines > 1 ? "\n\n" : "\n";
      else if (space) out += ' ';
    }
    newlines = 0;
    space = false;
    out += c;
  }
  return out;
}

struct MdState {
  std::string_view input;  // what md4c parses; spans it reports are clipped to it
  std::string text;
  std::string title;
  bool in_h1 = false;
  bool title_done = false;
};

} // namespace

Extracted extract_markdown(std::string_view text) {
  MdState st;
  MD_PARSER parser{};
  parser.flags = MD_DIALECT_GITHUB;
  parser.enter_block = [](MD_BLOCKTYPE type, void* detail, void* user) -> int {
    auto* s = static_cast<MdState*>(user);
    if (type == MD_BLOCK_H && static_cast<MD_BLOCK_H_DETAIL*>(detail)->level == 1 && !s->title_done) s->in_h1 = true;
    if (type != MD_BLOCK_DOC) s->text += "\n\n";
    return 0;
  };
  parser.leave_block = [](MD_BLOCKTYPE type, void*, void* user) -> int {
    auto* s = static_cast<MdState*>(user);
    if (type == MD_BLOCK_H && s->in_h1) {
      s->in_h1 = false;
      s->title_done = true;
    }
    s->text += "\n\n";
    return 0;
  };
  parser.enter_span = [](MD_SPANTYPE, void*, void*) -> int { return 0; };
  parser.leave_span = [](MD_SPANTYPE, void*, void*) -> int { return 0; };
  parser.text = [](MD_TEXTTYPE type, const MD_CHAR* t, MD_SIZE size, void* user) -> int {
    auto* s = static_cast<MdState*>(user);
    // md4c 0.4.8 can report a span running past the end of the input (found by fuzz_markdown,
    // e.g. an unclosed link destination before a long code span): keep the part inside it.
    std::string_view piece;
    const char* end = s->input.data() + s->input.size();
    if (type == MD_TEXT_NULLCHAR) piece = " ";
    else if (type == MD_TEXT_BR || type == MD_TEXT_SOFTBR) piece = "\n";
    else if (t >= s->input.data() && t <= end) piece = std::string_view(t, std::min<size_t>(size, static_cast<size_t>(end - t)));
    s->text += piece;
    if (s->in_h1) s->title += piece;
    return 0;
  };
  if (text.size() > UINT32_MAX) throw DataError({}, "Markdown text too large");
  // md4c 0.4.8 reads past the end of its input in places (found by fuzz_markdown): a UTF-8
  // sequence cut by the end, a span reported too long. It gets valid UTF-8 in a buffer with
  // slack behind the end, so its reads stay in memory befus owns, and spans are clipped above.
  constexpr size_t k_slack = 4096;
  std::string padded = util::valid_utf8(text) ? std::string(text) : util::repair_utf8(text);
  size_t size = padded.size();
  padded.append(k_slack, '\n');
  st.input = std::string_view(padded.data(), size);
  md_parse(padded.data(), static_cast<MD_SIZE>(size), &parser, &st);
  return {tidy(st.text), util::trim(st.title), {}};
}

namespace {

bool skipped_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_FORM:
      return true;
    default:
      return false;
  }
}

bool block_tag(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BR: case GUMBO_TAG_LI: case GUMBO_TAG_UL:
    case GUMBO_TAG_OL: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
    case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_TR: case GUMBO_TAG_TABLE: case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_DT: case GUMBO_TAG_DD:
      return true;
    default:
      return false;
  }
}

// Iterative walk: a page with a million nested tags must not overflow the stack.
void html_text(const GumboNode* root, std::string& out) {
  std::vector<std::pair<const GumboNode*, bool>> stack{{root, false}};
  while (!stack.empty()) {
    auto [node, leaving] = stack.back();
    stack.pop_back();
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE || node->type == GUMBO_NODE_CDATA) {
      out += node->v.text.text;
      continue;
    }
    if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_DOCUMENT) continue;
    GumboTag tag = node->type == GUMBO_NODE_ELEMENT ? node->v.element.tag : GUMBO_TAG_HTML;
    if (leaving) {
      if (block_tag(tag)) out += "\n\n";
      continue;
    }
    if (node->type == GUMBO_NODE_ELEMENT && skipped_tag(tag)) continue;
    if (block_tag(tag)) out += "\n\n";
    stack.push_back({node, true});
    const GumboVector& kids = node->type == GUMBO_NODE_ELEMENT ? node->v.element.children : node->v.document.children;
    for (unsigned i = kids.length; i > 0; --i) stack.push_back({static_cast<const GumboNode*>(kids.data[i - 1]), false});
  }
}

const GumboNode* find_tag(const GumboNode* root, GumboTag wanted) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* n = stack.back();
    stack.pop_back();
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) continue;
    if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == wanted) return n;
    const GumboVector& kids = n->type == GUMBO_NODE_ELEMENT ? n->v.element.children : n->v.document.children;
    for (unsigned i = kids.length; i > 0; --i) stack.push_back(static_cast<const GumboNode*>(kids.data[i - 1]));
  }
  return nullptr;
}

// Gumbo walks the stack of open elements for many start tags, so its time grows with tags times
// depth: a million nested tags would take hours. Browsers stop nesting at 512 levels.
constexpr int k_max_html_depth = 1000;

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

// Element nesting estimated from the tags alone (never less than the real depth for nested
// elements); void elements and those the parser closes by itself do not count.
int html_depth(std::string_view html) {
  static const std::set<std::string, std::less<>> k_flat{
      "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
      "wbr", "keygen", "basefont", "bgsound", "frame", "image", "p", "li", "dt", "dd", "tr", "td", "th",
      "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "caption", "rb", "rt", "rtc", "rp",
      "html", "head", "body"};
  static const std::set<std::string, std::less<>> k_raw{"script", "style", "textarea", "title", "xmp",
                                                        "iframe", "noembed", "noframes", "noscript"};
  int depth = 0, deepest = 0, foreign = 0;
  size_t i = 0;
  const size_t n = html.size();
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.substr(i, 4) == "<!--") {
      size_t e = html.find("-->", i + 4);
      if (e == std::string_view::npos) break;
      i = e + 3;
      continue;
    }
    bool closing = i + 1 < n && html[i + 1] == '/';
    size_t start = i + 1 + (closing ? 1 : 0), end = start;
    while (end < n && (std::isalnum(static_cast<unsigned char>(html[end])) || html[end] == '-')) ++end;
    if (end == start || !std::isalpha(static_cast<unsigned char>(html[start]))) {
      ++i;
      continue;
    }
    std::string name(html.substr(start, end - start));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t gt = html.find('>', end);
    if (gt == std::string_view::npos) break;
    bool self_closing = html[gt - 1] == '/';
    i = gt + 1;
    bool is_foreign = name == "svg" || name == "math";
    if (closing) {
      if (is_foreign && foreign > 0) --foreign;
      if (!k_flat.count(name) && depth > 0) --depth;
      continue;
    }
    if (k_flat.count(name) || (self_closing && (foreign > 0 || is_foreign))) continue;
    if (k_raw.count(name)) {  // text up to the matching end tag, however it looks
      size_t e = i;
      while ((e = html.find("</", e)) != std::string_view::npos && !same_name(html.substr(e + 2, name.size()), name)) e += 2;
      if (e == std::string_view::npos) break;
      i = e + 2;
      continue;
    }
    if (is_foreign) ++foreign;
    deepest = std::max(deepest, ++depth);
  }
  return deepest;
}

// "nl-BE" gives "nl"; a value whose first subtag is not two ASCII letters gives no language.
std::string language_subtag(std::string_view value) {
  std::string code;
  for (char c : value) {
    if (c == '-' || c == '_') break;
    if (!std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80) return {};
    code += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return code.size() == 2 ? code : std::string();
}

} // namespace

Extracted extract_html(std::string_view html) {
  if (int depth = html_depth(html); depth > k_max_html_depth)
    throw DataError({}, fmt::format("HTML nested about {} levels deep, more than the {} befus reads (a hostile or broken page?)",
                                    depth, k_max_html_depth));
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 100;  // errors are not used; keeps memory bounded on broken pages
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> out(
      gumbo_parse_with_options(&options, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  if (!out) throw DataError({}, "HTML could not be parsed");
  Extracted e;
  std::string raw;
  html_text(out->root, raw);
  // gumbo 0.10.1 turns an overlong character reference (&#x1F60FFFF…;) into bytes that are not
  // UTF-8 (found by fuzz_html): its output is repaired like any other text.
  e.text = tidy(util::repair_utf8(raw));
  if (const GumboNode* title = find_tag(out->root, GUMBO_TAG_TITLE)) {
    std::string t;
    html_text(title, t);
    e.title = util::trim(util::repair_utf8(t));
  }
  if (out->root->type == GUMBO_NODE_ELEMENT) {
    if (const GumboAttribute* lang = gumbo_get_attribute(&out->root->v.element.attributes, "lang"))
      e.lang = language_subtag(lang->value);
  }
  return e;
}

namespace {

namespace fs = std::filesystem;

// befus-pdf-text: BEFUS_PDF_TEXT names it, else it sits next to the running program, else the build
// tree has it (tests and benchmarks run from there).
std::string pdf_helper() {
  if (const char* env = std::getenv("BEFUS_PDF_TEXT"); env && *env) return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path next = self.parent_path() / pdf::k_helper;
    if (::access(next.c_str(), X_OK) == 0) return next.string();
  }
  return BEFUS_PDF_HELPER_BUILT;
}

// A file descriptor closed when it goes out of scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { close(); }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

DataError cannot_start(const std::string& what, int error) {
  return DataError({}, fmt::format("cannot start the PDF reader ({}): {}", what, std::strerror(error)));
}

} // namespace

// Poppler runs in another program, started per PDF with posix_spawn: a fork of this (threaded)
// process would inherit locks other threads hold, and a child that needs one waits forever.
Extracted extract_pdf(std::string_view bytes) {
  if (bytes.size() > INT32_MAX) throw DataError({}, "PDF too large");
  Fd input(::memfd_create("befus-pdf", MFD_CLOEXEC));
  if (input.fd < 0) throw cannot_start("memfd_create", errno);
  if (!util::write_all(input.fd, bytes) || ::lseek(input.fd, 0, SEEK_SET) != 0) throw cannot_start("memfd", errno);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw cannot_start("pipe", errno);
  Fd reply(fds[0]), child_end(fds[1]);
  std::string helper = pdf_helper();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, input.fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_end.fd, STDOUT_FILENO);
  // Poppler's own complaints ("Out of memory", syntax warnings) are not befus's output.
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  char* argv[] = {helper.data(), nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, helper.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw cannot_start(helper, rc);
  child_end.close();
  input.close();
  std::string msg;
  bool timed_out = false, too_much = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(pdf::k_seconds);
  char buf[65536];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd p {reply.fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;  // the deadline check above ends the wait
    ssize_t got = ::read(reply.fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    msg.append(buf, static_cast<size_t>(got));
    if (msg.size() > pdf::k_max_output) {
      too_much = true;
      break;
    }
  }
  reply.close();
  if (timed_out || too_much) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out)
    throw DataError({}, fmt::format("PDF took more than {} s to read (a PDF bomb?); skipped", pdf::k_seconds));
  if (too_much) throw DataError({}, "PDF reader sent more text than befus keeps; skipped");
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    // Poppler aborts when an allocation fails, which the memory limit makes happen.
    if (sig == SIGABRT || sig == SIGKILL || sig == SIGXCPU)
      throw DataError({}, fmt::format("PDF reader ran out of memory ({} GB) or time (a PDF bomb?); skipped",
                                      pdf::k_memory >> 30));
    throw DataError({}, fmt::format("PDF reader crashed on this file (signal {}: {}); skipped", sig, strsignal(sig)));
  }
  if (msg.empty() || (msg[0] != 'T' && msg[0] != 'E') || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw DataError({}, "PDF reader failed (out of memory?); skipped");
  if (msg[0] == 'E') throw DataError({}, msg.substr(1));
  size_t nl = msg.find('\n');
  size_t title_size = 0;
  try {
    title_size = std::stoul(msg.substr(1, nl - 1));
  } catch (const std::exception&) {
    nl = std::string::npos;
  }
  if (nl == std::string::npos || nl + 1 + title_size > msg.size()) throw DataError({}, "PDF reader sent garbled output");
  Extracted e;
  e.title = msg.substr(nl + 1, title_size);
  e.text = msg.substr(nl + 1 + title_size);
  return e;
}

Extracted extract_text(std::string_view text) { return {tidy(std::string(text)), {}, {}}; }

} // namespace befus::corpus
