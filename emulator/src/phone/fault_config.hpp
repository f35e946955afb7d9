#pragma once
// Parsers for the phone keys that script faults and initial content (reference: the comment at
// the top of emulator_config.hpp). Errors name the file and line.

#include <string>
#include <vector>

#include "../config_yaml.hpp"
#include "mtk/emu/emulator_config.hpp"

namespace mtk::emu {

// faults: [{when: ..., do: ..., times: ..., name: ...}, ...]
Status parseFaults(const std::string& file, const YAML::Node& v, std::vector<FaultRule>& out);

// initial_content: [{partition: nvram, pattern: 0xA5}, ...]; relative file paths are taken from
// the configuration file's directory.
Status parseInitialContent(const std::string& file, const YAML::Node& v,
                           std::vector<InitialContent>& out);

// Checks what needs the whole phone entry: initial_content names a partition of the phone's
// layout (or a storage area).
Status checkPhoneEntry(const std::string& file, const YAML::Node& entry, const PhoneConfig& pc);

}  // namespace mtk::emu
