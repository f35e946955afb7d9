#include "mtk/flasher/mtk_errors.hpp"

namespace mtk::flasher {

const std::vector<MtkCode>& allCodes() {
  using namespace codes;
  static const std::vector<MtkCode> all = {S_TIMEOUT,
                                           S_UNKNOWN_TARGET_BBCHIP,
                                           S_BROM_DOWNLOAD_DA_FAIL,
                                           S_BROM_CMD_STARTCMD_FAIL,
                                           S_BROM_FAIL_TO_GET_BBCHIP_HW_VER,
                                           S_BROM_CONNECT_TO_BOOTLOADER_FAIL,
                                           S_BROM_CMD_SEND_DA_FAIL,
                                           S_BROM_CMD_SEND_DA_CHKSUM_DIFF,
                                           S_BROM_CMD_JUMP_DA_FAIL,
                                           S_CHIP_TYPE_NOT_MATCH,
                                           S_FT_DA_NO_RESPONSE,
                                           S_FT_DA_SYNC_INCORRECT,
                                           S_SECURITY_SLA_FAIL,
                                           S_SECURITY_DAA_FAIL,
                                           S_SECURITY_SBC_FAIL,
                                           S_SECURITY_GET_ME_ID_FAIL,
                                           S_PART_NO_VALID_TABLE,
                                           S_DA_DRAM_NOT_SUPPORT,
                                           S_STORAGE_NOT_MATCH,
                                           S_FT_ENABLE_DRAM_FAIL,
                                           S_DL_GET_DRAM_SETTING_FAIL,
                                           S_DA_INVALID_RANGE,
                                           S_FT_FORMAT_FAIL,
                                           S_DL_PC_BL_INVALID_GFH_FILE_INFO,
                                           S_DL_PMT_ERR_NO_SPACE,
                                           FT_FIND_NVRAM_ERROR,
                                           FT_INVALID_FORMAT_ADDR_ERROR,
                                           ERROR_BL_INCONSISTENT,
                                           ERROR_ROM_MUST_ENABLE,
                                           ERROR_PMT_UNAVAILABLE,
                                           ERROR_DATA_LOST,
                                           ERROR_CHK_RAW_FILE_COUNT_DIFF,
                                           ERROR_CHK_FILE_NOT_EXIST};
  return all;
}

}  // namespace mtk::flasher
