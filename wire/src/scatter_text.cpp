// Text scatters: the legacy `NAME 0xADDR { }` format and the V1.x/V2.x "YAML-like" format.
//
// The V1.x/V2.x reader works line by line, as SP Flash Tool's does: every meaningful line is
// `key: value`, optionally behind a "- " list marker; indentation is ignored (real files mix two-
// and four-space styles, fahad15090's MT6761 file for one). Structure comes from the keys:
// `general: MTK_PLATFORM_CFG` / `general: MTK_STORAGE_CFG` open general blocks, `storage_type`
// opens a V2.x section, `partition_index` opens a partition record that runs until the next of
// those.

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "mtk/wire/scatter.hpp"
#include "scatter_detail.hpp"

namespace mtk::wire::scatter {

namespace {

using detail::excerpt;
using detail::parseNumber;
using detail::trim;

struct Line {
  int number;
  std::string_view text;
};

// Splits on "\r\n", "\n" or a lone "\r"; drops a UTF-8 byte order mark.
std::vector<Line> splitLines(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<Line> lines;
  int number = 1;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back({number++, text.substr(start, i - start)});
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back({number, text.substr(start)});
  return lines;
}

bool isComment(std::string_view s) {
  return s.empty() || s.front() == '#' || s.substr(0, 2) == "//";
}

bool isIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// A "key: value" line with the list marker removed; nullopt when the line is not one.
struct KeyValue {
  std::string key;
  std::string_view value;
};

std::optional<KeyValue> splitKeyValue(std::string_view s) {
  if (!s.empty() && s.front() == '-' && (s.size() == 1 || s[1] == ' ' || s[1] == '\t')) {
    s = trim(s.substr(1));
  }
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view key = trim(s.substr(0, colon));
  if (!isIdentifier(key)) return std::nullopt;
  std::string_view value = trim(s.substr(colon + 1));
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  std::string k(key);
  for (char& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return KeyValue{std::move(k), value};
}

// Meaningful content of a line: leading blanks and comments dropped, a trailing " # ..." cut.
std::string_view content(std::string_view raw) {
  std::string_view s = trim(raw);
  if (isComment(s)) return {};
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
      s = trim(s.substr(0, i));
      break;
    }
  }
  if (s == "---" || s == "...") return {};
  return s;
}

Result<Scatter> parseKeyValue(const std::vector<Line>& lines, std::string_view fileName,
                              std::string_view storage) {
  detail::Builder b(fileName, Format::V1);
  for (const Line& line : lines) {
    const std::string_view s = content(line.text);
    if (s.empty()) continue;
    const auto kv = splitKeyValue(s);
    if (!kv) {
      return b.error(line.number, "expected \"key: value\", found \"" + excerpt(s) + "\"");
    }
    Status st;
    if (kv->key == "general") {
      if (detail::equalsNoCase(kv->value, "MTK_PLATFORM_CFG")) {
        st = b.platformGeneral(line.number);
      } else if (detail::equalsNoCase(kv->value, "MTK_STORAGE_CFG")) {
        st = b.storageGeneral(line.number);
      } else {
        st = b.error(line.number, "unknown general block \"" + excerpt(kv->value) +
                                      "\" (expected MTK_PLATFORM_CFG or MTK_STORAGE_CFG)");
      }
    } else if (kv->key == "storage_type") {
      st = b.section(kv->value, line.number);
    } else if (kv->key == "partition_index") {
      st = b.partition(kv->value, line.number);
    } else {
      st = b.key(kv->key, kv->value, line.number);
    }
    if (!st) return std::move(st).error();
  }
  return b.finish(storage);
}

// ---- legacy ------------------------------------------------------------------------------

struct Token {
  std::string_view text;
  int line;
};

std::vector<Token> tokenize(const std::vector<Line>& lines) {
  std::vector<Token> tokens;
  for (const Line& line : lines) {
    const std::string_view s = content(line.text);
    std::size_t i = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == ' ' || c == '\t') {
        ++i;
      } else if (c == '{' || c == '}') {
        tokens.push_back({s.substr(i, 1), line.number});
        ++i;
      } else {
        std::size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t' && s[j] != '{' && s[j] != '}') ++j;
        tokens.push_back({s.substr(i, j - i), line.number});
        i = j;
      }
    }
  }
  return tokens;
}

Result<Scatter> parseLegacy(const std::vector<Line>& lines, std::string_view fileName) {
  Scatter s;
  s.fileName = std::string(fileName);
  s.format = Format::Legacy;
  s.platform = platformFromFileName(fileName);
  Section section;
  section.line = 1;
  const auto fail = [&](int line, const std::string& message, std::string hint = {}) {
    return detail::formatError(fileName, line, message, std::move(hint));
  };

  const std::vector<Token> tokens = tokenize(lines);
  bool anyBrace = false;
  for (const Token& t : tokens) anyBrace = anyBrace || t.text == "{";

  std::size_t i = 0;
  while (i < tokens.size()) {
    const Token& name = tokens[i];
    if (!isIdentifier(name.text)) {
      return fail(name.line, "expected a partition name, found \"" + excerpt(name.text) + "\"");
    }
    if (i + 1 >= tokens.size() || tokens[i + 1].line != name.line) {
      return fail(name.line, "partition " + excerpt(name.text) + " has no start address");
    }
    const auto address = parseNumber(tokens[i + 1].text);
    if (!address) {
      return fail(name.line, "\"" + excerpt(tokens[i + 1].text) + "\" after " + excerpt(name.text) +
                                 " is not an address");
    }
    if (i + 2 >= tokens.size() || tokens[i + 2].text != "{") {
      if (!anyBrace) {
        return fail(name.line,
                    "this is an OTA update scatter (one \"name 0xaddress\" per line, no { } "
                    "blocks), not an SP Flash Tool scatter",
                    "load the MTxxxx_Android_scatter.txt that ships beside it");
      }
      return fail(name.line,
                  "expected \"{\" after " + excerpt(name.text) + " " + excerpt(tokens[i + 1].text));
    }
    // Anything between the braces is ignored (real files leave them empty).
    const int open = tokens[i + 2].line;
    std::size_t j = i + 3;
    int depth = 1;
    for (; j < tokens.size() && depth > 0; ++j) {
      if (tokens[j].text == "{") {
        if (++depth > 16) return fail(tokens[j].line, "braces nested too deep");
      } else if (tokens[j].text == "}") {
        --depth;
      }
    }
    if (depth > 0) return fail(open, "\"{\" of " + excerpt(name.text) + " is never closed");
    if (section.partitions.size() >= detail::kMaxPartitions) {
      return fail(name.line, "more than " + std::to_string(detail::kMaxPartitions) + " partitions");
    }

    Partition p;
    std::string_view n = name.text;
    p.isDownload = true;
    constexpr std::string_view noDownload = "__NODL_";
    if (n.substr(0, noDownload.size()) == noDownload) {
      n.remove_prefix(noDownload.size());
      p.isDownload = false;
    }
    p.name = std::string(n);
    p.linearStartAddress = *address;
    p.isReserved = n.substr(0, 4) == "RSV_" || isEndRelative(*address);
    p.line = name.line;
    section.partitions.push_back(std::move(p));
    i = j;
  }
  if (section.partitions.empty()) return fail(1, "no partitions: the scatter file is empty");
  s.partitions = section.partitions;
  s.sections.push_back(std::move(section));
  return s;
}

}  // namespace

Result<Scatter> parseText(std::string_view text, std::string_view fileName,
                          std::string_view storage) {
  const std::vector<Line> lines = splitLines(text);
  // The first meaningful line decides: "key: value" is V1.x/V2.x, anything else legacy.
  for (const Line& line : lines) {
    const std::string_view s = content(line.text);
    if (s.empty()) continue;
    if (splitKeyValue(s)) return parseKeyValue(lines, fileName, storage);
    return parseLegacy(lines, fileName);
  }
  return detail::formatError(fileName, 0, "the scatter file is empty");
}

}  // namespace mtk::wire::scatter
