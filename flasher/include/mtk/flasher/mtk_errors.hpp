#pragma once
// MediaTek's status names and numbers, as SP Flash Tool users quote them
// (shared/docs/spflash-codes.tsv, v5.1952 column; tests check every entry against that file).
// Errors the flasher reports carry one of these plus a sentence a person can act on.

#include <string>
#include <vector>

#include "mtk/error.hpp"

namespace mtk::flasher {

struct MtkCode {
  int number;
  const char* name;
};

namespace codes {
inline constexpr MtkCode S_TIMEOUT{1042, "S_TIMEOUT"};
inline constexpr MtkCode S_UNKNOWN_TARGET_BBCHIP{1018, "S_UNKNOWN_TARGET_BBCHIP"};
inline constexpr MtkCode S_BROM_DOWNLOAD_DA_FAIL{2004, "S_BROM_DOWNLOAD_DA_FAIL"};
inline constexpr MtkCode S_BROM_CMD_STARTCMD_FAIL{2005, "S_BROM_CMD_STARTCMD_FAIL"};
inline constexpr MtkCode S_BROM_FAIL_TO_GET_BBCHIP_HW_VER{2022, "S_BROM_FAIL_TO_GET_BBCHIP_HW_VER"};
inline constexpr MtkCode S_BROM_CONNECT_TO_BOOTLOADER_FAIL{2032,
                                                           "S_BROM_CONNECT_TO_BOOTLOADER_FAIL"};
inline constexpr MtkCode S_BROM_CMD_SEND_DA_FAIL{2033, "S_BROM_CMD_SEND_DA_FAIL"};
inline constexpr MtkCode S_BROM_CMD_SEND_DA_CHKSUM_DIFF{2034, "S_BROM_CMD_SEND_DA_CHKSUM_DIFF"};
inline constexpr MtkCode S_BROM_CMD_JUMP_DA_FAIL{2035, "S_BROM_CMD_JUMP_DA_FAIL"};
inline constexpr MtkCode S_PART_NO_VALID_TABLE{1037, "S_PART_NO_VALID_TABLE"};
inline constexpr MtkCode S_DA_DRAM_NOT_SUPPORT{3008, "S_DA_DRAM_NOT_SUPPORT"};
inline constexpr MtkCode S_STORAGE_NOT_MATCH{3183, "S_STORAGE_NOT_MATCH"};
inline constexpr MtkCode S_CHIP_TYPE_NOT_MATCH{3184, "S_CHIP_TYPE_NOT_MATCH"};
inline constexpr MtkCode S_FT_ENABLE_DRAM_FAIL{4032, "S_FT_ENABLE_DRAM_FAIL"};
inline constexpr MtkCode S_DL_GET_DRAM_SETTING_FAIL{5054, "S_DL_GET_DRAM_SETTING_FAIL"};
inline constexpr MtkCode S_FT_DA_NO_RESPONSE{4001, "S_FT_DA_NO_RESPONSE"};
inline constexpr MtkCode S_FT_DA_SYNC_INCORRECT{4002, "S_FT_DA_SYNC_INCORRECT"};
inline constexpr MtkCode S_SECURITY_SLA_FAIL{6004, "S_SECURITY_SLA_FAIL"};
inline constexpr MtkCode S_SECURITY_DAA_FAIL{6005, "S_SECURITY_DAA_FAIL"};
inline constexpr MtkCode S_SECURITY_SBC_FAIL{6006, "S_SECURITY_SBC_FAIL"};
inline constexpr MtkCode S_SECURITY_GET_ME_ID_FAIL{6031, "S_SECURITY_GET_ME_ID_FAIL"};
inline constexpr MtkCode S_DA_INVALID_RANGE{3040, "S_DA_INVALID_RANGE"};
inline constexpr MtkCode S_FT_FORMAT_FAIL{4010, "S_FT_FORMAT_FAIL"};
inline constexpr MtkCode S_DL_PC_BL_INVALID_GFH_FILE_INFO{5066, "S_DL_PC_BL_INVALID_GFH_FILE_INFO"};
inline constexpr MtkCode S_DL_PMT_ERR_NO_SPACE{5069, "S_DL_PMT_ERR_NO_SPACE"};
inline constexpr MtkCode FT_FIND_NVRAM_ERROR{8400, "FT_FIND_NVRAM_ERROR"};
inline constexpr MtkCode FT_INVALID_FORMAT_ADDR_ERROR{8401, "FT_INVALID_FORMAT_ADDR_ERROR"};
inline constexpr MtkCode ERROR_BL_INCONSISTENT{8501, "ERROR_BL_INCONSISTENT"};
inline constexpr MtkCode ERROR_ROM_MUST_ENABLE{8502, "ERROR_ROM_MUST_ENABLE"};
inline constexpr MtkCode ERROR_PMT_UNAVAILABLE{8503, "ERROR_PMT_UNAVAILABLE"};
inline constexpr MtkCode ERROR_DATA_LOST{8504, "ERROR_DATA_LOST"};
inline constexpr MtkCode ERROR_CHK_RAW_FILE_COUNT_DIFF{8509, "ERROR_CHK_RAW_FILE_COUNT_DIFF"};
inline constexpr MtkCode ERROR_CHK_FILE_NOT_EXIST{8510, "ERROR_CHK_FILE_NOT_EXIST"};
}  // namespace codes

// Every code above, for the consistency test and for `mtkflash --help`.
const std::vector<MtkCode>& allCodes();

inline Error mtkError(const MtkCode& code, std::string message, std::string hint) {
  return makeError(code.number, code.name, std::move(message), std::move(hint));
}

}  // namespace mtk::flasher
