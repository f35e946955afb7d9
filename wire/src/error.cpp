#include "mtk/error.hpp"

namespace mtk {

std::string Error::describe() const {
  std::string s = name.empty() ? std::string("ERROR") : name;
  s += " (" + std::to_string(code) + "): " + message;
  if (!hint.empty()) s += "\n  hint: " + hint;
  return s;
}

Error makeError(int code, std::string name, std::string message, std::string hint) {
  return Error{code, std::move(name), std::move(message), std::move(hint)};
}

}  // namespace mtk
