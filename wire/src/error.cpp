#include "mtk/error.hpp"

#include <cstdio>

namespace mtk {

std::string Error::describe() const {
  std::string s = name.empty() ? std::string("ERROR") : name;
  if (code > 0xffff) {  // a DA status such as 0xc0070004 reads best in hex
    char hex[24];
    std::snprintf(hex, sizeof hex, "0x%08llx", static_cast<unsigned long long>(code));
    s += std::string(" (") + hex + "): " + message;
  } else {
    s += " (" + std::to_string(code) + "): " + message;
  }
  if (!hint.empty()) s += "\n  hint: " + hint;
  return s;
}

Error makeError(std::int64_t code, std::string name, std::string message, std::string hint) {
  return Error{code, std::move(name), std::move(message), std::move(hint)};
}

}  // namespace mtk
