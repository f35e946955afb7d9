#pragma once
// Errors are values: a code, a name people can search for (MediaTek's where one exists),
// a message saying what happened, and a hint saying what a person can do about it.

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace mtk {

struct Error {
  // MediaTek's number where one exists (SP Flash Tool's decimal ones, or a DA's 0xC00xxxxx
  // status, printed in hex), else the project's own.
  std::int64_t code = 0;
  std::string name;     // e.g. "S_FT_DA_NO_RESPONSE", "LIBUSB_ERROR_TIMEOUT"
  std::string message;  // what happened, with context ("reading GPT: short read at LBA 1")
  std::string hint;     // one sentence a person can act on; may be empty

  // "NAME (code): message" and, when there is one, "\n  hint: ..." on its own line.
  std::string describe() const;

  // Prefixes context to the message, fwupd style: "opening 1-1: " + message.
  Error& context(const std::string& what) {
    message = what + ": " + message;
    return *this;
  }
};

// A value or an Error. Small on purpose: C++20 has no std::expected.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error)
      : err_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& {
    assert(!ok_);
    return err_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(err_);
  }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;

Error makeError(std::int64_t code, std::string name, std::string message, std::string hint = {});

}  // namespace mtk
