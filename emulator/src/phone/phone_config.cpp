// The `kind: phone` keys of mtkemu's configuration (reference: emulator_config.hpp).
#include <algorithm>

#include "../config_yaml.hpp"
#include "fault_config.hpp"
#include "mtk/emu/emulator_config.hpp"
#include "mtk/wire/brom.hpp"

namespace mtk::emu {

namespace brom = wire::brom;

namespace {

Status parseStorage(const std::string& file, const YAML::Node& v, StorageSpec& st) {
  if (!v.IsMap())
    return config::error(file, v, "storage must be a mapping such as {type: emmc, user_size: 64G}");
  for (const auto& kv : v) {
    const auto key = kv.first.as<std::string>();
    const YAML::Node& n = kv.second;
    auto sz = [&](std::uint64_t& field) -> Status {
      auto b = config::size(file, n, key);
      if (!b) return std::move(b).error();
      field = *b;
      return {};
    };
    Status s;
    if (key == "type") {
      const auto t = n.as<std::string>();
      if (t == "emmc")
        st.kind = StorageKind::Emmc;
      else if (t == "ufs") {
        st.kind = StorageKind::Ufs;
        st.sectorSize = 4096;
      } else if (t == "nand")
        st.kind = StorageKind::Nand;
      else if (t == "none")
        st.kind = StorageKind::None;
      else
        return config::error(file, n, "storage type must be emmc, ufs, nand or none");
    } else if (key == "user_size") {
      s = sz(st.user);
      if (s && (st.user < (8ull << 20) || st.user > (256ull << 30))) {
        return config::error(file, n, "user_size must be between 8M and 256G");
      }
    } else if (key == "boot_size") {
      s = sz(st.boot1);
      st.boot2 = st.boot1;
    } else if (key == "rpmb_size") {
      s = sz(st.rpmb);
    } else if (key == "sector_size") {
      auto n2 = config::number<std::uint32_t>(file, n, key, 512, 4096);
      if (!n2) return std::move(n2).error();
      if (*n2 != 512 && *n2 != 4096)
        return config::error(file, n, "sector_size must be 512 or 4096");
      st.sectorSize = *n2;
    } else if (key == "directory") {
      st.directory = n.as<std::string>();
    } else {
      return config::error(file, kv.first, "unknown storage key '" + key + "'");
    }
    if (!s) return s;
  }
  return {};
}

}  // namespace

Status parsePhoneKey(const std::string& file, const std::string& key, const YAML::Node& v,
                     PhoneConfig& pc) {
  PhoneSpec& s = pc.spec;
  auto u16 = [&](std::uint16_t& field) -> Status {
    auto n = config::number<std::uint16_t>(file, v, key, 0, 0xffff);
    if (!n) return std::move(n).error();
    field = *n;
    return {};
  };
  auto u8 = [&](std::uint8_t& field) -> Status {
    auto n = config::number<std::uint8_t>(file, v, key, 0, 0xff);
    if (!n) return std::move(n).error();
    field = *n;
    return {};
  };
  auto flag = [&](bool& field) -> Status {
    auto b = config::boolean(file, v, key);
    if (!b) return std::move(b).error();
    field = *b;
    return {};
  };
  if (key == "chip") {
    s.chip = wire::chipByName(v.as<std::string>());
    if (!s.chip) return config::error(file, v, "unknown chip '" + v.as<std::string>() + "'");
    return {};
  }
  if (key == "boot") {
    const auto m = v.as<std::string>();
    if (m != "preloader" && m != "brom")
      return config::error(file, v, "boot must be 'preloader' or 'brom'");
    pc.bootBrom = m == "brom";
    return {};
  }
  if (key == "has_preloader") return flag(s.hasPreloader);
  if (key == "ready_banner") return flag(s.readyBanner);
  if (key == "da_silent") return flag(s.daSilent);
  if (key == "usb_speed_switch") return flag(s.usbSpeedSwitch);
  if (key == "dram_init_fails") return flag(s.dramInitFails);
  if (key == "da2_hash_check") return flag(s.checkDa2Hash);
  if (key == "emi_version") {
    s.emiVersion = v.as<std::string>();
    if (s.emiVersion.size() < 2 || s.emiVersion[0] != 'v') {
      return config::error(file, v, "emi_version looks like v27 (the NN of MTK_BLOADER_INFO_vNN)");
    }
    return {};
  }
  if (key == "corrupt_write_chunks") {
    auto n = config::number<unsigned>(file, v, key, 0, 1000000);
    if (!n) return std::move(n).error();
    s.corruptWriteChunks = *n;
    return {};
  }
  if (key == "power_cut_after") {
    auto n = config::size(file, v, key);
    if (!n) return std::move(n).error();
    s.powerCutAfter = *n;
    return {};
  }
  if (key == "write_packet_length" || key == "read_packet_length") {
    auto n = config::size(file, v, key);
    if (!n) return std::move(n).error();
    if (*n < 512 || *n > (16u << 20))
      return config::error(file, v, key + " must be between 512 and 16M");
    (key == "write_packet_length" ? s.writePacketLength : s.readPacketLength) =
        static_cast<std::uint32_t>(*n);
    return {};
  }
  if (key == "hw_sub_code") return u16(s.hwSubCode);
  if (key == "hw_version") return u16(s.hwVersion);
  if (key == "sw_version") return u16(s.swVersion);
  if (key == "bl_version") return u8(s.preloaderVersion);
  if (key == "brom_version") return u8(s.bromVersion);
  if (key == "preloader_window_ms") {
    auto n = config::number<long long>(file, v, key, 0, 3'600'000);
    if (!n) return std::move(n).error();
    s.preloaderWindow = *n ? std::chrono::milliseconds(*n) : std::chrono::hours(24 * 365);
    return {};
  }
  if (key == "corrupt_upload_at") {
    auto n = config::number<std::size_t>(file, v, key, 0, 1 << 30);
    if (!n) return std::move(n).error();
    s.corruptUploadAt = *n;
    return {};
  }
  if (key == "me_id" || key == "soc_id") {
    const bool me = key == "me_id";
    auto b = config::hexBytes(file, v, key, me ? s.meId.size() : s.socId.size());
    if (!b) return std::move(b).error();
    std::copy(b->begin(), b->end(), me ? s.meId.begin() : s.socId.begin());
    return {};
  }
  if (key == "target_config") {
    auto n = config::number<std::uint32_t>(file, v, key, 0, 0xffffffffll);
    if (!n) return std::move(n).error();
    s.targetConfig = *n;
    return {};
  }
  if (key == "security") {
    static const std::pair<const char*, std::uint32_t> bits[] = {
        {"sbc", brom::CFG_SBC},
        {"sla", brom::CFG_SLA},
        {"daa", brom::CFG_DAA},
        {"epp", brom::CFG_EPP},
        {"cert", brom::CFG_CERT_REQUIRED},
        {"mem_read_auth", brom::CFG_MEM_READ_AUTH},
        {"mem_write_auth", brom::CFG_MEM_WRITE_AUTH},
        {"c8_blocked", brom::CFG_CMD_C8_BLOCKED}};
    if (!v.IsMap()) return config::error(file, v, "security must be a mapping such as {daa: true}");
    for (const auto& kv : v) {
      const auto name = kv.first.as<std::string>();
      auto it = std::find_if(std::begin(bits), std::end(bits),
                             [&](const auto& b) { return name == b.first; });
      if (it == std::end(bits))
        return config::error(file, kv.first, "unknown security flag '" + name + "'");
      auto on = config::boolean(file, kv.second, name);
      if (!on) return std::move(on).error();
      s.targetConfig = *on ? (s.targetConfig | it->second) : (s.targetConfig & ~it->second);
    }
    return {};
  }
  if (key == "da_accept_sha256") {
    if (!v.IsSequence())
      return config::error(file, v, "da_accept_sha256 must be a list of hex digests");
    for (const auto& d : v) {
      auto b = config::hexBytes(file, d, key, 32);
      if (!b) return std::move(b).error();
      std::string hex = d.as<std::string>();
      std::transform(hex.begin(), hex.end(), hex.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      s.acceptedDaSha256.push_back(hex);
    }
    return {};
  }
  if (key == "layout") {
    // [{name: nvram, size: 5M}, ..., {name: userdata}]: the last one may take the rest.
    if (!v.IsSequence()) return config::error(file, v, "layout must be a list of {name, size}");
    s.layout.clear();
    for (const auto& e : v) {
      if (!e.IsMap() || !e["name"]) return config::error(file, e, "each layout entry needs a name");
      InitialPartition part;
      part.name = e["name"].as<std::string>();
      if (part.name.empty() || part.name.size() > 35) {
        return config::error(file, e, "a partition name must have 1 to 35 characters");
      }
      if (auto size = e["size"]) {
        auto b = config::size(file, size, "size");
        if (!b) return std::move(b).error();
        part.size = *b;
      }
      s.layout.push_back(part);
    }
    return {};
  }
  if (key == "partition_table") {
    const auto k = v.as<std::string>();
    static const std::pair<const char*, TableKind> kinds[] = {{"gpt", TableKind::Gpt},
                                                              {"pmt", TableKind::Pmt},
                                                              {"none", TableKind::None},
                                                              {"corrupt", TableKind::CorruptGpt}};
    for (const auto& [name, kind] : kinds) {
      if (k == name) {
        s.partitionTable = kind;
        return {};
      }
    }
    return config::error(file, v, "partition_table must be gpt, pmt, none or corrupt");
  }
  if (key == "storage") return parseStorage(file, v, s.storage);
  if (key == "faults") return parseFaults(file, v, s.faults);
  if (key == "initial_content") return parseInitialContent(file, v, s.initialContent);
  if (key == "seed") {
    auto n = config::number<std::uint64_t>(file, v, key, 0, 0x7fffffffffffffffll);
    if (!n) return std::move(n).error();
    s.faultSeed = *n;
    return {};
  }
  return config::error(file, v, "unknown phone key '" + key + "'");
}

}  // namespace mtk::emu
