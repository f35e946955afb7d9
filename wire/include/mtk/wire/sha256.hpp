#pragma once
// SHA-256 over data fed in pieces (OpenSSL's libcrypto underneath).

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "mtk/wire/bytes.hpp"

namespace mtk::wire {

class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(ByteSpan data);
  Digest finish();  // the object can be reused afterwards (it restarts)

  static Digest of(ByteSpan data);
  static std::string hex(const Digest& d);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace mtk::wire
