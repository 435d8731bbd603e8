// dataopt: the command-line tool. All work happens in run_cli; main only
// turns an exception into one error line and a non-zero exit.

#include <c10/util/Exception.h>

#include <exception>
#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
  try {
    return dataopt::cli::run_cli(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const c10::Error& e) {
    // LibTorch's own errors: the message without its C++ backtrace.
    std::cerr << "dataopt: error: " << e.what_without_backtrace() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "dataopt: error: " << e.what() << std::endl;
    return 1;
  }
}
