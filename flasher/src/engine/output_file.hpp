#pragma once
// A file written front to back that leaves holes where the data is zero: a readback of a 64 GiB
// user area that is mostly empty takes the disk space of its data, not 64 GiB.

#include <string>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::flasher {

class OutputFile {
 public:
  OutputFile() = default;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  Status open(const std::string& path);  // created or truncated
  Status write(wire::ByteSpan data);     // appends; zero 4 KiB blocks become holes
  Status close();                        // sets the final length, flushes

 private:
  int fd_ = -1;
  std::string path_;
  std::uint64_t length_ = 0;
};

}  // namespace mtk::flasher
