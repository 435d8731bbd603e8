#include "dataopt/core/threads.h"

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

}  // namespace dataopt
