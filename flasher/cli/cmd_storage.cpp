// Storage commands through the DA: printgpt, read, write, erase (by partition or by area and
// address). Nothing is written outside the named partition or range.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli_common.hpp"
#include "mtk/flasher/da_session.hpp"
#include "mtk/flasher/partition_table.hpp"

namespace mtk::cli {

namespace {

struct Target {
  std::uint32_t partType = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  // the whole partition/area, or what was asked
  std::string label;
};

// --partition NAME, or --area AREA with --offset/--length.
Result<Target> resolve(flasher::DaSession& session, const StorageOptions& s, bool needLength) {
  Target t;
  if (!s.partition.empty()) {
    auto table = flasher::readPartitionTable(*session.da, session.storage);
    if (!table) return table.error();
    const flasher::PartitionInfo* p = table->find(s.partition);
    if (!p) {
      std::string names;
      for (const auto& q : table->partitions) names += (names.empty() ? "" : ", ") + q.name;
      return makeError(-1, "PARTITION_NOT_FOUND",
                       "the phone's " + table->kind + " has no partition '" + s.partition + "'",
                       "partitions on this phone: " + names);
    }
    t = {p->partType, p->offset, p->size, "partition " + p->name};
    if (!s.length.empty()) {  // the first --length bytes of the partition
      auto l = parseNumber(s.length, "--length");
      if (!l) return l.error();
      if (*l > p->size) {
        return makeError(-1, "RANGE_OUTSIDE_PARTITION",
                         "--length " + s.length + " is more than partition " + p->name +
                             " holds (" + std::to_string(p->size) + " bytes)",
                         "give a length up to the partition size");
      }
      t.length = *l;
    }
    return t;
  }
  auto area = flasher::areaByName(session.storage, s.area.empty() ? "user" : s.area);
  if (!area) return area.error();
  auto offset = parseNumber(s.offset.empty() ? "0" : s.offset, "--offset");
  if (!offset) return offset.error();
  std::uint64_t length = area->size - std::min(area->size, *offset);
  if (!s.length.empty()) {
    auto l = parseNumber(s.length, "--length");
    if (!l) return l.error();
    length = *l;
  } else if (needLength) {
    return makeError(-1, "NO_LENGTH", "an address range needs --length",
                     "give --length in bytes (hex or decimal)");
  }
  if (*offset > area->size || length > area->size - *offset) {
    return makeError(-1, "RANGE_OUTSIDE_AREA",
                     "the range runs past the end of " + area->name + " (" +
                         std::to_string(area->size) + " bytes)",
                     "check --offset and --length against the area size");
  }
  t = {area->partType, *offset, length,
       area->name + " at " + hex(static_cast<unsigned>(*offset), 1)};
  return t;
}

// Ends a session: SHUTDOWN first when --reboot or --power-off asked for it (and the operation
// worked).
Status finish(flasher::DaSession& session, const StorageOptions& s, bool json) {
  Status result;
  if (s.reboot || s.powerOff) {
    stage(s.powerOff ? "powering the phone off" : "rebooting the phone", json);
    result = session.da->shutdown(0, s.powerOff);
  }
  session.close();
  return result;
}

}  // namespace

int cmdReboot(const GlobalOptions& g, const StorageOptions& s) {
  auto session = openSession(g, s);
  if (!session) return report(session.error(), g.json);
  StorageOptions withReboot = s;
  withReboot.reboot = true;
  if (auto r = finish(*session, withReboot, g.json); !r) return report(r.error(), g.json);
  if (g.json) std::cout << nlohmann::json{{"event", "result"}, {"ok", true}}.dump() << std::endl;
  return kExitOk;
}

int cmdPrintGpt(const GlobalOptions& g, const StorageOptions& s) {
  auto session = openSession(g, s);
  if (!session) return report(session.error(), g.json);
  auto table = flasher::readPartitionTable(*session->da, session->storage);
  if (!table) {
    session->close();
    return report(table.error(), g.json);
  }
  if (auto f = finish(*session, s, g.json); !f) return report(f.error(), g.json);
  if (g.json) {
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& p : table->partitions) {
      parts.push_back({{"name", p.name}, {"offset", p.offset}, {"size", p.size}});
    }
    std::cout << nlohmann::json{{"event", "result"},
                                {"ok", true},
                                {"kind", table->kind},
                                {"sector_size", table->sectorSize},
                                {"partitions", parts}}
                     .dump()
              << std::endl;
    return kExitOk;
  }
  std::printf("%s, %u-byte sectors, %zu partitions\n", table->kind.c_str(), table->sectorSize,
              table->partitions.size());
  std::printf("  %-20s %18s %18s\n", "name", "offset", "size");
  for (const auto& p : table->partitions) {
    std::printf("  %-20s 0x%016llx 0x%016llx\n", p.name.c_str(),
                static_cast<unsigned long long>(p.offset), static_cast<unsigned long long>(p.size));
  }
  return kExitOk;
}

int cmdRead(const GlobalOptions& g, const StorageOptions& s) {
  if (s.file.empty())
    return report(makeError(-1, "NO_OUTPUT", "no output file", "give -o FILE"), g.json);
  auto session = openSession(g, s);
  if (!session) return report(session.error(), g.json);
  auto t = resolve(*session, s, /*needLength=*/false);
  if (!t) return report(t.error(), g.json);
  std::ofstream out(s.file, std::ios::binary | std::ios::trunc);
  if (!out)
    return report(makeError(-1, "CANNOT_WRITE", "cannot create " + s.file, "check the path"),
                  g.json);
  stage("reading " + t->label + " (" + std::to_string(t->length) + " bytes) to " + s.file, g.json);
  ProgressBar bar(g.json);
  auto progress = [&](std::uint64_t d, std::uint64_t t) { bar("read", d, t); };
  auto r = session->da->read(
      t->partType, t->offset, t->length,
      [&](wire::ByteSpan piece) -> Status {
        out.write(reinterpret_cast<const char*>(piece.data()),
                  static_cast<std::streamsize>(piece.size()));
        if (!out)
          return makeError(-1, "CANNOT_WRITE", "writing " + s.file + " failed",
                           "is the disk full?");
        return {};
      },
      progress);
  if (!r) {
    session->close();
    return report(r.error(), g.json);
  }
  if (auto f = finish(*session, s, g.json); !f) return report(f.error(), g.json);
  out.close();
  if (g.json)
    std::cout << nlohmann::json{{"event", "result"}, {"ok", true}, {"bytes", t->length}}.dump()
              << std::endl;
  else
    stage("read " + std::to_string(t->length) + " bytes", false);
  return kExitOk;
}

int cmdWrite(const GlobalOptions& g, const StorageOptions& s) {
  if (s.file.empty())
    return report(makeError(-1, "NO_INPUT", "no input file", "give -i FILE"), g.json);
  std::ifstream in(s.file, std::ios::binary | std::ios::ate);
  if (!in)
    return report(makeError(-1, "CANNOT_READ", "cannot open " + s.file, "check the path"), g.json);
  const std::uint64_t size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  auto session = openSession(g, s);
  if (!session) return report(session.error(), g.json);
  auto t = resolve(*session, s, /*needLength=*/false);
  if (!t) return report(t.error(), g.json);
  // Whole blocks only; the padding stays inside the partition, or the write is refused.
  const std::uint64_t block = session->storage.blockSize;
  const std::uint64_t padded = (size + block - 1) / block * block;
  if (padded > t->length) {
    session->close();
    return report(makeError(-1, "IMAGE_TOO_LARGE",
                            s.file + " (" + std::to_string(size) + " bytes) is " +
                                std::to_string(padded - t->length) + " bytes larger than " +
                                t->label + " (" + std::to_string(t->length) + " bytes)",
                            "nothing was written; check that the image belongs to this partition"),
                  g.json);
  }
  stage("writing " + s.file + " (" + std::to_string(size) + " bytes) to " + t->label, g.json);
  ProgressBar bar(g.json);
  auto progress = [&](std::uint64_t d, std::uint64_t t) { bar("write", d, t); };
  std::uint64_t given = 0;
  auto w = session->da->write(
      t->partType, t->offset, padded,
      [&](wire::MutableByteSpan chunk) -> Result<std::size_t> {
        const std::uint64_t fromFile =
            std::min<std::uint64_t>(chunk.size(), size - std::min(size, given));
        in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(fromFile));
        if (static_cast<std::uint64_t>(in.gcount()) != fromFile) {
          return makeError(-1, "CANNOT_READ", "reading " + s.file + " failed", "");
        }
        std::fill(chunk.begin() + static_cast<std::ptrdiff_t>(fromFile), chunk.end(), 0);
        given += chunk.size();
        return chunk.size();
      },
      progress);
  if (!w) {
    session->close();
    return report(w.error(), g.json);
  }
  if (auto f = finish(*session, s, g.json); !f) return report(f.error(), g.json);
  if (g.json)
    std::cout << nlohmann::json{{"event", "result"}, {"ok", true}, {"bytes", size}}.dump()
              << std::endl;
  else
    stage("wrote " + std::to_string(size) + " bytes", false);
  return kExitOk;
}

int cmdErase(const GlobalOptions& g, const StorageOptions& s) {
  auto session = openSession(g, s);
  if (!session) return report(session.error(), g.json);
  auto t = resolve(*session, s, /*needLength=*/s.partition.empty());
  if (!t) return report(t.error(), g.json);
  stage("erasing " + t->label + " (" + std::to_string(t->length) + " bytes)", g.json);
  ProgressBar bar(g.json);
  auto progress = [&](std::uint64_t d, std::uint64_t t) { bar("erase", d, t); };
  auto e = session->da->format(t->partType, t->offset, t->length, progress);
  if (!e) {
    session->close();
    return report(e.error(), g.json);
  }
  if (auto f = finish(*session, s, g.json); !f) return report(f.error(), g.json);
  if (g.json)
    std::cout << nlohmann::json{{"event", "result"}, {"ok", true}, {"bytes", t->length}}.dump()
              << std::endl;
  else
    stage("erased", false);
  return kExitOk;
}

}  // namespace mtk::cli
