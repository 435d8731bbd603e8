#include "dataopt/core/threads.h"

#include <malloc.h>
#include <sched.h>

#include <thread>

namespace dataopt {

int num_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

int set_num_threads(int n) {
  const int threads = n > 0 ? n : num_cores();
  at::set_num_threads(threads);
  return at::get_num_threads();
}

int get_num_threads() { return at::get_num_threads(); }

bool tune_allocator() {
  // 1 GiB: buffers below that come from the heap and are reused; the heap
  // is not trimmed (and grows in 512 MiB steps) so that they stay mapped.
  const int mmap_ok = mallopt(M_MMAP_THRESHOLD, 1 << 30);
  const int trim_ok = mallopt(M_TRIM_THRESHOLD, 1 << 30);
  const int pad_ok = mallopt(M_TOP_PAD, 512 << 20);
  return mmap_ok == 1 && trim_ok == 1 && pad_ok == 1;
}

}  // namespace dataopt
