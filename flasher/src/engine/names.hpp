#pragma once
// Partition, region and storage names compare without case, as SP Flash Tool compares them.

#include <algorithm>
#include <cctype>
#include <string>

namespace mtk::flasher {

inline std::string lowerCase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace mtk::flasher
