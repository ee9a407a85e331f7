#include "befus/corpus.hpp"

#include "befus/error.hpp"
#include "befus/text.hpp"

#include <gumbo.h>
#include <md4c.h>
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <memory>
#include <mutex>

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
    std::string_view piece(t, size);
    if (type == MD_TEXT_NULLCHAR) piece = " ";
    if (type == MD_TEXT_BR || type == MD_TEXT_SOFTBR) piece = "\n";
    s->text += piece;
    if (s->in_h1) s->title += piece;
    return 0;
  };
  if (text.size() > UINT32_MAX) throw DataError({}, "Markdown text too large");
  md_parse(text.data(), static_cast<MD_SIZE>(text.size()), &parser, &st);
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

} // namespace

Extracted extract_html(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 100;  // errors are not used; keeps memory bounded on broken pages
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> out(
      gumbo_parse_with_options(&options, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  if (!out) throw DataError({}, "HTML could not be parsed");
  Extracted e;
  std::string raw;
  html_text(out->root, raw);
  e.text = tidy(raw);
  if (const GumboNode* title = find_tag(out->root, GUMBO_TAG_TITLE)) {
    std::string t;
    html_text(title, t);
    e.title = util::trim(t);
  }
  if (out->root->type == GUMBO_NODE_ELEMENT) {
    if (const GumboAttribute* lang = gumbo_get_attribute(&out->root->v.element.attributes, "lang"))
      e.lang = std::string(lang->value).substr(0, 2);
  }
  return e;
}

Extracted extract_pdf(std::string_view bytes) {
  static std::once_flag quiet;
  // Poppler prints its complaints on stderr; befus reports failures itself.
  std::call_once(quiet, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
  if (bytes.size() > INT32_MAX) throw DataError({}, "PDF too large");
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) throw DataError({}, "PDF could not be opened (damaged or not a PDF)");
  if (doc->is_locked()) throw DataError({}, "PDF is encrypted");
  Extracted e;
  int pages = doc->pages();
  constexpr int k_max_pages = 5000;
  for (int i = 0; i < pages && i < k_max_pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    poppler::byte_array utf8 = page->text().to_utf8();
    e.text.append(utf8.begin(), utf8.end());
    e.text += "\n\n";
    if (e.text.size() > (32u << 20)) break;  // a PDF bomb stops here
  }
  poppler::byte_array title = doc->get_title().to_utf8();
  e.title = util::trim(std::string(title.begin(), title.end()));
  e.text = tidy(util::repair_utf8(e.text));
  return e;
}

Extracted extract_text(std::string_view text) { return {tidy(std::string(text)), {}, {}}; }

} // namespace befus::corpus
