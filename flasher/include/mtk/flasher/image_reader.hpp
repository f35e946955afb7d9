#pragma once
// Reading a firmware image for writing: a plain file as it is, or an Android sparse image
// chunk by chunk (RAW, FILL, DONT_CARE, CRC32), never expanded in memory. The writer sees
// "stretches": the parts of the output that carry data (a plain file is one stretch; in a
// sparse image DONT_CARE chunks separate them and are simply not written).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::flasher {

struct Stretch {
  std::uint64_t offset = 0;  // in the unpacked image
  std::uint64_t length = 0;
};

class ImageReader {
 public:
  virtual ~ImageReader() = default;
  // allowSparse false: the file's bytes as they are, even if they look like a sparse image.
  static Result<std::unique_ptr<ImageReader>> open(const std::string& path,
                                                   bool allowSparse = true);

  virtual bool sparse() const = 0;
  virtual std::uint64_t fileSize() const = 0;
  virtual std::uint64_t length() const = 0;  // the unpacked length
  virtual const std::vector<Stretch>& stretches() const = 0;
  // The next out.size() bytes of data, stretch after stretch, in order. A sparse image's
  // CRC32 chunks are checked as the data passes them.
  virtual Status next(wire::MutableByteSpan out) = 0;
  // Back to the first stretch (for a second pass: hashing before a write, verifying after).
  virtual Status rewind() = 0;
};

}  // namespace mtk::flasher
