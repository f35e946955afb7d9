// The `initial_content:` list of a phone in mtkemu's configuration (reference:
// emulator_config.hpp; what it means: storage/partition_content.hpp).
#include <algorithm>
#include <filesystem>

#include "fault_config.hpp"

namespace mtk::emu {

namespace {

Result<InitialContent> parseEntry(const std::string& file, const YAML::Node& e) {
  if (!e.IsMap() || !e["partition"]) {
    return config::error(file, e,
                         "each initial_content entry needs a partition and one of pattern, "
                         "seed, file");
  }
  InitialContent c;
  int kinds = 0;
  for (const auto& kv : e) {
    const auto key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "partition") {
      c.partition = v.as<std::string>();
    } else if (key == "pattern") {
      auto b = config::number<std::uint8_t>(file, v, key, 0, 0xff);
      if (!b) return std::move(b).error();
      c.kind = InitialContent::Kind::Pattern;
      c.pattern = *b;
      ++kinds;
    } else if (key == "seed") {
      auto s = config::number<std::uint64_t>(file, v, key, 0, 0x7fffffffffffffffll);
      if (!s) return std::move(s).error();
      c.kind = InitialContent::Kind::Seeded;
      c.seed = *s;
      ++kinds;
    } else if (key == "file") {
      std::filesystem::path path = v.as<std::string>();
      // A scenario names its images next to itself, wherever it is run from.
      if (path.is_relative()) path = std::filesystem::path(file).parent_path() / path;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(path, ec))
        return config::error(file, v, "initial_content file " + path.string() + " is not there");
      c.kind = InitialContent::Kind::File;
      c.file = path.string();
      ++kinds;
    } else if (key == "offset" || key == "size") {
      auto n = config::size(file, v, key);
      if (!n) return std::move(n).error();
      if (key == "offset") {
        c.offset = *n;
      } else {
        c.size = *n;
      }
    } else {
      return config::error(file, kv.first,
                           "unknown initial_content key '" + key +
                               "' (known: partition, pattern, seed, file, offset, size)");
    }
  }
  if (kinds != 1) {
    return config::error(file, e,
                         "an initial_content entry takes exactly one of pattern, seed, file");
  }
  return c;
}

// The storage areas a phone of this kind has, by the names VirtualStorage gives them.
std::vector<std::string> areaNames(const StorageSpec& st) {
  if (st.kind == StorageKind::Ufs) return {"lu0", "lu1", "lu2", "rpmb"};
  if (st.kind != StorageKind::Emmc) return {};
  std::vector<std::string> names = {"boot1", "boot2", "rpmb", "user"};
  for (int i = 0; i < 4; ++i)
    if (st.gp[i]) names.push_back("gp" + std::to_string(i + 1));
  return names;
}

}  // namespace

Status parseInitialContent(const std::string& file, const YAML::Node& v,
                           std::vector<InitialContent>& out) {
  if (!v.IsSequence()) {
    return config::error(file, v,
                         "initial_content must be a list such as [{partition: nvram, pattern: "
                         "0xA5}]");
  }
  out.clear();
  for (const auto& e : v) {
    auto c = parseEntry(file, e);
    if (!c) return std::move(c).error();
    out.push_back(std::move(*c));
  }
  return {};
}

Status checkPhoneEntry(const std::string& file, const YAML::Node& entry, const PhoneConfig& pc) {
  const YAML::Node list = entry["initial_content"];
  if (!list) return {};
  const PhoneSpec& s = pc.spec;
  const auto layout = s.layout.empty() ? defaultLayout(s.storage.user) : s.layout;
  const auto areas = areaNames(s.storage);
  std::size_t i = 0;
  for (const auto& e : list) {
    const std::string& name = s.initialContent.at(i++).partition;
    const bool inLayout = std::any_of(layout.begin(), layout.end(),
                                      [&](const InitialPartition& p) { return p.name == name; });
    if (inLayout || std::find(areas.begin(), areas.end(), name) != areas.end()) continue;
    std::string known;
    for (const auto& p : layout) known += (known.empty() ? "" : ", ") + p.name;
    for (const auto& a : areas) known += ", " + a;
    return config::error(file, e["partition"],
                         "initial_content names partition '" + name +
                             "', which the phone's layout does not have (it has: " + known + ")");
  }
  return {};
}

}  // namespace mtk::emu
