// The shared precompiled header: LibTorch plus the standard headers most
// translation units use. Only .cpp files see it; public headers never
// include <torch/torch.h>.
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>
