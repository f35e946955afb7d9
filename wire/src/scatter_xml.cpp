// The XML scatter (SP Flash Tool v5's XML scatter reader, v6 through flash.xml; spflash.md §3.3):
//
//   <root>
//     <general name="MTK_PLATFORM_CFG">
//       <config_version
//       name="V2.1.0"><platform>MT6893</platform><project>..</project></config_version>
//     </general>
//     <storage_type name="EMMC">
//       <general name="MTK_STORAGE_CFG">
//         <storage
//         name="EMMC"><boot_channel>MSDC_0</boot_channel><block_size>0x20000</block_size></storage>
//       </general>
//       <partition_index
//       name="SYS0"><partition_name>preloader</partition_name>...</partition_index>
//     </storage_type>
//   </root>
//
// A small reader for the subset these files use: elements, attributes, character data, the five
// predefined entities and numeric character references, comments, CDATA, and the XML
// declaration / DOCTYPE (skipped). Everything else is an error with its line. Partition records
// directly under <root> (no storage_type) are accepted as a single layout.

#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mtk/wire/scatter.hpp"
#include "scatter_detail.hpp"

namespace mtk::wire::scatter {

namespace {

using detail::excerpt;
using detail::trim;

constexpr int kMaxDepth = 32;

struct Node {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;
  int line = 0;
  std::vector<std::unique_ptr<Node>> children;

  const std::string* attribute(std::string_view key) const {
    for (const auto& [k, v] : attributes) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

class Reader {
 public:
  Reader(std::string_view text, std::string_view fileName) : text_(text), file_(fileName) {}

  Result<std::unique_ptr<Node>> document() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    std::unique_ptr<Node> root;
    while (true) {
      skipSpace();
      if (pos_ >= text_.size()) break;
      if (!starts("<")) return fail("text outside the root element");
      if (starts("<?")) {
        if (auto st = skipPast("?>"); !st) return std::move(st).error();
      } else if (starts("<!--")) {
        if (auto st = skipPast("-->"); !st) return std::move(st).error();
      } else if (starts("<!")) {
        if (auto st = skipPast(">"); !st) return std::move(st).error();
      } else {
        if (root) return fail("a second root element");
        auto r = element(1);
        if (!r) return std::move(r).error();
        root = std::move(*r);
      }
    }
    if (!root) return fail("no root element");
    return root;
  }

 private:
  Error fail(const std::string& message) const {
    return detail::formatError(file_, line(), "XML: " + message);
  }

  int line() const {
    for (; counted_ < pos_ && counted_ < text_.size(); ++counted_) {
      if (text_[counted_] == '\n') ++line_;
    }
    return line_;
  }

  bool starts(std::string_view s) const { return text_.substr(pos_, s.size()) == s; }

  void skipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  Status skipPast(std::string_view end) {
    const auto at = text_.find(end, pos_);
    if (at == std::string_view::npos)
      return fail("unterminated markup (no \"" + std::string(end) + "\")");
    pos_ = at + end.size();
    return {};
  }

  static bool nameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
           c == ':';
  }

  std::string_view name() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && nameChar(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // Appends `raw` with entities decoded.
  Status decode(std::string_view raw, std::string& out) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const auto semi = raw.find(';', i);
      if (semi == std::string_view::npos || semi - i > 12) return fail("bad entity reference");
      const std::string_view ent = raw.substr(i + 1, semi - i - 1);
      if (ent == "amp") {
        out += '&';
      } else if (ent == "lt") {
        out += '<';
      } else if (ent == "gt") {
        out += '>';
      } else if (ent == "quot") {
        out += '"';
      } else if (ent == "apos") {
        out += '\'';
      } else if (ent.size() > 1 && ent[0] == '#') {
        std::string digits(ent.substr(1));
        if (!digits.empty() && (digits[0] == 'x' || digits[0] == 'X')) digits = "0" + digits;
        const auto code = detail::parseNumber(digits);
        if (!code || *code == 0 || *code > 0x7f) {
          out += '?';  // scatter values are ASCII; anything else is kept visible, not decoded
        } else {
          out += static_cast<char>(*code);
        }
      } else {
        return fail("unknown entity &" + excerpt(ent) + ";");
      }
      i = semi;
    }
    return {};
  }

  Result<std::unique_ptr<Node>> element(int depth) {
    if (depth > kMaxDepth) return fail("elements nested deeper than " + std::to_string(kMaxDepth));
    auto node = std::make_unique<Node>();
    node->line = line();
    ++pos_;  // '<'
    const std::string_view tag = name();
    if (tag.empty()) return fail("expected an element name after \"<\"");
    node->name = std::string(tag);
    // Attributes.
    while (true) {
      skipSpace();
      if (pos_ >= text_.size()) return fail("unterminated <" + node->name + ">");
      if (starts("/>")) {
        pos_ += 2;
        return node;
      }
      if (starts(">")) {
        ++pos_;
        break;
      }
      const std::string_view key = name();
      if (key.empty()) return fail("bad attribute in <" + node->name + ">");
      skipSpace();
      if (!starts("=")) return fail("attribute " + std::string(key) + " has no value");
      ++pos_;
      skipSpace();
      if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\'')) {
        return fail("attribute " + std::string(key) + " value is not quoted");
      }
      const char quote = text_[pos_++];
      const auto end = text_.find(quote, pos_);
      if (end == std::string_view::npos) return fail("unterminated attribute value");
      std::string value;
      if (auto st = decode(text_.substr(pos_, end - pos_), value); !st)
        return std::move(st).error();
      pos_ = end + 1;
      node->attributes.emplace_back(std::string(key), std::move(value));
    }
    // Content.
    while (true) {
      if (pos_ >= text_.size()) return fail("<" + node->name + "> is never closed");
      if (starts("</")) {
        pos_ += 2;
        const std::string_view close = name();
        skipSpace();
        if (!starts(">")) return fail("bad closing tag </" + excerpt(close) + ">");
        ++pos_;
        if (close != node->name) {
          return fail("</" + excerpt(close) + "> closes <" + node->name + "> (line " +
                      std::to_string(node->line) + ")");
        }
        return node;
      }
      if (starts("<!--")) {
        if (auto st = skipPast("-->"); !st) return std::move(st).error();
      } else if (starts("<![CDATA[")) {
        const std::size_t start = pos_ + 9;
        if (auto st = skipPast("]]>"); !st) return std::move(st).error();
        node->text.append(text_.substr(start, pos_ - 3 - start));
      } else if (starts("<?")) {
        if (auto st = skipPast("?>"); !st) return std::move(st).error();
      } else if (starts("<")) {
        auto child = element(depth + 1);
        if (!child) return std::move(child).error();
        node->children.push_back(std::move(*child));
      } else {
        const auto lt = text_.find('<', pos_);
        const std::size_t end = lt == std::string_view::npos ? text_.size() : lt;
        if (auto st = decode(text_.substr(pos_, end - pos_), node->text); !st) {
          return std::move(st).error();
        }
        pos_ = end;
      }
    }
  }

  std::string_view text_;
  std::string_view file_;
  std::size_t pos_ = 0;
  mutable std::size_t counted_ = 0;
  mutable int line_ = 1;
};

// Feeds the tree to the builder the text reader also uses.
class Walker {
 public:
  explicit Walker(detail::Builder& b) : b_(b) {}

  Status root(const Node& root) {
    if (root.name != "root") {
      return b_.error(root.line,
                      "XML scatter root element is <" + excerpt(root.name) + ">, expected <root>");
    }
    for (const auto& child : root.children) {
      const Node& n = *child;
      Status st;
      if (n.name == "general") {
        st = platformGeneral(n);
      } else if (n.name == "storage_type") {
        st = storageType(n);
      } else if (n.name == "partition_index") {
        st = partition(n);
      }  // anything else under <root> is not part of the layout; ignored
      if (!st) return st;
    }
    return {};
  }

 private:
  static std::string_view nameOf(const Node& n) {
    const std::string* v = n.attribute("name");
    return v ? std::string_view(*v) : std::string_view();
  }

  Status leaves(const Node& parent) {
    for (const auto& child : parent.children) {
      const Node& n = *child;
      if (!n.children.empty()) {
        return b_.error(n.line, "<" + excerpt(n.name) + "> should hold a value, not elements");
      }
      if (auto st = b_.key(n.name, trim(n.text), n.line); !st) return st;
    }
    return {};
  }

  Status platformGeneral(const Node& g) {
    if (nameOf(g) != "MTK_PLATFORM_CFG") {
      return b_.error(g.line, "<general name=\"" + excerpt(nameOf(g)) +
                                  "\"> at the top level, expected MTK_PLATFORM_CFG");
    }
    if (auto st = b_.platformGeneral(g.line); !st) return st;
    for (const auto& child : g.children) {
      const Node& n = *child;
      if (n.name == "config_version") {
        if (auto st = b_.key("config_version", trim(nameOf(n)), n.line); !st) return st;
        if (auto st = leaves(n); !st) return st;
      } else if (n.children.empty()) {
        if (auto st = b_.key(n.name, trim(n.text), n.line); !st) return st;
      } else {
        return b_.error(n.line, "unexpected <" + excerpt(n.name) + "> in the general block");
      }
    }
    return {};
  }

  Status storageType(const Node& s) {
    if (auto st = b_.section(nameOf(s), s.line); !st) return st;
    for (const auto& child : s.children) {
      const Node& n = *child;
      Status st;
      if (n.name == "general") {
        st = storageGeneral(n);
      } else if (n.name == "partition_index") {
        st = partition(n);
      } else {
        st = b_.error(n.line,
                      "unexpected <" + excerpt(n.name) + "> in storage_type " + excerpt(nameOf(s)));
      }
      if (!st) return st;
    }
    return {};
  }

  Status storageGeneral(const Node& g) {
    if (nameOf(g) != "MTK_STORAGE_CFG") {
      return b_.error(g.line, "<general name=\"" + excerpt(nameOf(g)) +
                                  "\"> in a storage_type, expected MTK_STORAGE_CFG");
    }
    if (auto st = b_.storageGeneral(g.line); !st) return st;
    for (const auto& child : g.children) {
      const Node& n = *child;
      if (n.name == "storage") {
        if (auto st = b_.key("storage", trim(nameOf(n)), n.line); !st) return st;
        if (auto st = leaves(n); !st) return st;
      } else if (n.children.empty()) {
        if (auto st = b_.key(n.name, trim(n.text), n.line); !st) return st;
      } else {
        return b_.error(n.line, "unexpected <" + excerpt(n.name) + "> in MTK_STORAGE_CFG");
      }
    }
    return {};
  }

  Status partition(const Node& p) {
    if (auto st = b_.partition(nameOf(p), p.line); !st) return st;
    return leaves(p);
  }

  detail::Builder& b_;
};

}  // namespace

Result<Scatter> parseXml(std::string_view text, std::string_view fileName,
                         std::string_view storage) {
  Reader reader(text, fileName);
  auto doc = reader.document();
  if (!doc) return std::move(doc).error();
  detail::Builder b(fileName, Format::V2Xml);
  Walker walker(b);
  if (auto st = walker.root(**doc); !st) return std::move(st).error();
  return b.finish(storage);
}

}  // namespace mtk::wire::scatter
