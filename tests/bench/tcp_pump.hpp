#pragma once
// A plain TCP loopback pump, the yardstick both benchmarks print beside their figures.
#include <cstddef>

namespace mtk::bench {
// One thread writes `total` bytes in 1 MiB writes, another reads and drops them; MB/s.
double tcpPump(std::size_t total);
}  // namespace mtk::bench
