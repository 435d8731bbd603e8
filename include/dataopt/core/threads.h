#pragma once
/// \file
/// LibTorch starts with one intra-op thread on these machines; dataopt sets
/// it to the number of cores unless told otherwise (`--threads`).

namespace dataopt {

/// Number of cores available to this process (sched affinity aware).
int num_cores();

/// Sets LibTorch's intra-op threads; n <= 0 means num_cores(). Returns the
/// number now in effect.
int set_num_threads(int n);

/// LibTorch's current intra-op thread count.
int get_num_threads();

/// Keeps freed tensor buffers in the heap instead of returning them to the
/// kernel: glibc otherwise mmaps and unmaps every large activation buffer,
/// and on CPU training that churn (page faults, zeroing) costs about half of
/// the time. Call once at program start; returns false if glibc refused.
bool tune_allocator();

}  // namespace dataopt
